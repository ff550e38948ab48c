import { rulesToAST } from '@casl/ability/extra';
import type { AppAbility, AppAction, AppSubject } from './ability.factory.js';

interface Node {
  operator: string;
  field?: string;
  value: unknown;
}

export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/**
 * Turns the caller's rules for (action, subject) into a SQL condition, so list queries return
 * exactly the rows single reads allow, filtered in the database. `columns` maps each field the
 * rules mention to a SQL expression (of type uuid, or `[expression, type]`); an unmapped field
 * is a programming error, not a silent pass. Parameters are numbered from `firstParam`.
 */
export function accessibleWhere(
  ability: AppAbility,
  action: AppAction,
  subject: AppSubject,
  columns: Record<string, string | [string, string]>,
  firstParam = 1,
): SqlFilter {
  const ast = rulesToAST(ability, action, subject) as Node | null;
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const render = (node: Node): string => {
    switch (node.operator) {
      case 'and':
      case 'or': {
        const parts = (node.value as Node[]).map(render);
        if (parts.length === 0) return node.operator === 'and' ? 'TRUE' : 'FALSE';
        return `(${parts.join(node.operator === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not': {
        // An inverted rule's conditions come as one node or as a list of them.
        const negated = Array.isArray(node.value) ? (node.value as Node[]) : [node.value as Node];
        return `NOT (${negated.map(render).join(' AND ')})`;
      }
    }
    const mapped = node.field ? columns[node.field] : undefined;
    if (!mapped)
      throw new Error(`accessibleWhere: no column for field ${node.field} of ${subject}`);
    const [column, type] = typeof mapped === 'string' ? [mapped, 'uuid'] : mapped;
    switch (node.operator) {
      case 'eq':
        return node.value === null
          ? `${column} IS NULL`
          : `${column} = ${bind(node.value)}::${type}`;
      case 'ne':
        return node.value === null
          ? `${column} IS NOT NULL`
          : `${column} IS DISTINCT FROM ${bind(node.value)}::${type}`;
      case 'in': {
        const values = node.value as unknown[];
        return values.length === 0 ? 'FALSE' : `${column} = ANY(${bind(values)}::${type}[])`;
      }
      case 'nin': {
        // As `ne`: a missing value (NULL) is none of them.
        const values = node.value as unknown[];
        return values.length === 0
          ? 'TRUE'
          : `(${column} IS NULL OR ${column} <> ALL(${bind(values)}::${type}[]))`;
      }
      default:
        throw new Error(`accessibleWhere: unsupported operator ${node.operator}`);
    }
  };
  return { sql: ast ? render(ast) : 'FALSE', params };
}
