/** The page needs a signed-in user and there is none (or their session ended elsewhere). */
export class SignInRequired extends Error {
  constructor(readonly ended = false) {
    super('sign in required');
    this.name = 'SignInRequired';
  }
}

/** The session was idle longer than UI_IDLE_TIMEOUT and has been ended. */
export class SessionTimedOut extends Error {
  constructor() {
    super('session timed out');
    this.name = 'SessionTimedOut';
  }
}
