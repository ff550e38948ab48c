import type { AppAbility } from '../access/ability.factory.js';
import type { Actor } from './actor.js';

/** Where a request came from: what the audit trail records beside the actor. */
export interface RequestOrigin {
  requestId: string;
  ip: string;
  userAgent?: string;
  /** Declared purpose of access (`X-Access-Purpose`), when the caller gives one. */
  purpose?: string;
}

/** An authenticated request: who, with which abilities, from where. Services take this. */
export interface RequestContext extends RequestOrigin {
  actor: Actor;
  ability: AppAbility;
  /** The generation of the bearer token the request came with (none for other sessions). */
  tokenGeneration?: number;
}
