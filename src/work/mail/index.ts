// Mail between agents and people: stored in the town store's mail table, addressed like agents, nudged on arrival.
export {
  MAIL_TYPES,
  MAIL_ID_PREFIX,
  newMailId,
  replySubject,
  checkPriority,
  checkMailType,
  checkSubject,
  byUrgency,
  type Mail,
  type MailType,
} from './model.ts';
export {
  withMailStore,
  insertMails,
  lastHandoff,
  pendingHandoffs,
  inboxFingerprint,
  MAIL_PART,
  getMail,
  resolveMailId,
  listInbox,
  unreadFor,
  findMail,
  markRead,
  ack,
  archive,
  type MailSource,
  type NewMail,
  type InboxOptions,
  type ArchiveResult,
} from './mailbox.ts';
export {
  sendMail,
  reply,
  recipientsOf,
  requireRecipient,
  type SendRequest,
  type ReplyRequest,
  type SendResult,
  type SendDeps,
  type Delivery,
  type NotifyStatus,
} from './send.ts';
export { formatMailLine, formatMailSummary, formatInjectBlock } from './render.ts';
export { checkMail, injectText, type MailCheck } from './check.ts';
