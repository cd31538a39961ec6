// The signed-in user (from the client certificate) as the node sees them:
// name, roles, language and the node's authority. Loaded once per page load.
import {call} from './api.js';

export const session = {name: '', roles: [], language: '', authority: ''};

// Reads UserService/GetCurrentUser into `session`.
export async function loadSession() {
  const answer = await call('UserService', 'GetCurrentUser', {});
  const user = answer.user || answer;
  session.name = user.name || '';
  session.roles = user.roles || [];
  session.language = user.language || '';
  session.authority = answer.authorityId || answer.authority || user.authorityId || '';
  return session;
}

export function hasRole(role) {
  return session.roles.includes(role) || (role !== 'ROLE_INSPECTOR' &&
    role !== 'ROLE_AUDITOR' && session.roles.includes('ROLE_ADMIN'));
}

// Cases, requests and plans: inspectors.
export function isInspector() {
  return session.roles.includes('ROLE_INSPECTOR');
}

// The audit views: auditors.
export function isAuditor() {
  return session.roles.includes('ROLE_AUDITOR');
}
