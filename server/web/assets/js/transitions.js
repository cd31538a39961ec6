// What each side may do to a request in each state: a mirror of the
// server's transition table (server/domain/request_rules.cc), used only to
// show the controls that can succeed. The node checks every action again.

const REQ = 'REQUEST_SIDE_REQUESTER';
const REC = 'REQUEST_SIDE_RECIPIENT';
const S = (name) => `REQUEST_STATE_${name}`;
const DRAFT = S('DRAFT');
const SENT = S('SENT');
const AWAITING = S('AWAITING_ACCEPTANCE');
const ACCEPTED = S('ACCEPTED');
const ANSWERED = S('ANSWERED');
const CLOSED = S('CLOSED');
const SUSPENDED = S('SUSPENDED');

const isAlert = (r) => r.content && r.content.kind === 'REQUEST_KIND_ALERT';
const isPenalty = (r) => r.content && (r.content.kind === 'REQUEST_KIND_NOTIFICATION_OF_DECISION' ||
  r.content.kind === 'REQUEST_KIND_RECOVERY_OF_PENALTY');
const other = (side) => (side === REQ ? REC : REQ);

// [action, side, states, extra condition]. The action is the RequestEvent
// oneof field (JSON lowerCamel).
export const TRANSITIONS = [
  ['send', REQ, [DRAFT]],
  ['accept', REC, [AWAITING], (r) => !isAlert(r)],
  ['acknowledge', REC, [AWAITING], isAlert],
  ['answer', REC, [ACCEPTED], (r) => !isAlert(r)],
  ['clarify', REC, [AWAITING, ACCEPTED]],
  ['clarify', REQ, [ANSWERED]],
  ['reply', REQ, [AWAITING, ACCEPTED], (r) => r.clarificationBy === REC],
  ['delay', REC, [AWAITING, ACCEPTED]],
  ['forward', REC, [AWAITING, ACCEPTED]],
  ['split', REC, [AWAITING, ACCEPTED], (r) => (r.content.questions || []).length > 1],
  ['reject', REC, [AWAITING, ACCEPTED]],
  ['proposeDate', REQ, [SENT, AWAITING, ACCEPTED]],
  ['proposeDate', REC, [SENT, AWAITING, ACCEPTED]],
  ['acceptDate', REQ, [AWAITING, ACCEPTED], (r) => r.dateProposal && r.dateProposal.side === REC],
  ['acceptDate', REC, [AWAITING, ACCEPTED], (r) => r.dateProposal && r.dateProposal.side === REQ],
  ['modify', REQ, [SENT, AWAITING, ACCEPTED]],
  ['challenge', REQ, [AWAITING, ACCEPTED], isPenalty],
  ['resume', REQ, [SUSPENDED]],
  ['close', REQ, [ANSWERED]],
  ['reopen', REQ, [CLOSED]],
  ['withdraw', REQ, [SENT, AWAITING, ACCEPTED, SUSPENDED]],
];

// The actions `side` may make on `request` now, in table order.
export function allowedActions(request, side) {
  if (!side || side === 'REQUEST_SIDE_UNSPECIFIED') return [];
  const content = request.content || {};
  const r = Object.assign({}, request, {content});
  return TRANSITIONS.filter(([, s, states, when]) =>
    s === side && states.includes(request.state) && (!when || when(r)))
    .map(([action]) => action);
}

// Whether `side` may attach a document now (CheckAttach on the server).
export function mayAttach(request, side) {
  if (side === REQ) return [DRAFT, SENT, AWAITING, ACCEPTED, ANSWERED, SUSPENDED].includes(request.state);
  if (side === REC) return [ACCEPTED, ANSWERED].includes(request.state);
  return false;
}

export {other as otherSide, isPenalty};
