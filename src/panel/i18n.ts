/**
 * The panel speaks Italian and English: the `lang` cookie (set by the switch in the header) wins, else the
 * browser's Accept-Language, else Italian. Dates and times are written in the business's time zone.
 */
import { phoneText, prefixText } from './phone-text.js';
import { hiddenTag } from './withheld.js';

export const LANGS = ['it', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const EN = {
  title: 'crocetta',
  dashboard: 'Dashboard',
  register: 'Register',
  rankings: 'Rankings',
  rules: 'Lists and rules',
  settings: 'Settings',
  logout: 'Log out',
  login: 'Log in',
  password: 'Password',
  loginTitle: 'Log in to crocetta',
  loginWrong: 'Wrong password.',
  loginLimited: 'Too many attempts: try again in a few minutes.',
  loginNotConfigured: 'No admin password is set: start crocetta with ADMIN_PASSWORD to use the panel.',
  loginDropped:
    'Your session had ended (crocetta restarted, or the panel was left open for hours), so what you just sent was NOT saved. Log in: you will be back on the same page, to do it again.',
  today: 'Today',
  thisWeek: 'This week',
  attempts: 'Attempts',
  stopped: 'Stopped',
  passed: 'Passed',
  unreached: 'Undelivered',
  unreachedNote:
    'Undelivered: calls crocetta let through that reached nobody in the office: no PBX was registered to take them (the caller heard “unavailable”, 480), the PBX did not answer or said it was unavailable (408, 503), the number called could not be read (404 or 414), or the caller did not pass the human check. A call that rang in the office and nobody answered is not one of them: it passed.',
  perDay: 'Attempts per day (last 30 days)',
  topOffenders: 'Top offenders this week',
  trustedLeftOut: 'Numbers you marked trusted are not listed here.',
  time: 'Time',
  number: 'Number',
  displayName: 'Display name',
  called: 'Called (our number)',
  verdict: 'Verdict',
  reason: 'Reason',
  action: 'Action',
  ticks: 'Ticks',
  outcome: 'Outcome',
  talked: 'talked',
  messagePlayed: 'message played',
  check_passed: 'check passed',
  'check_no-digit': 'check: no key',
  'check_wrong-digit': 'check: wrong key',
  'check_hung-up': 'check: hung up',
  outcome_pending: 'pending',
  outcome_forwarded: 'forwarded',
  outcome_answered: 'answered',
  outcome_declined: 'declined',
  outcome_rejected: 'rejected',
  outcome_cancelled: 'cancelled',
  outcome_failed: 'failed',
  outcome_timeout: 'no answer in time',
  period: 'Period',
  from: 'From',
  dateFormat: 'dd/mm/yyyy',
  dateUnread:
    'The date “{field}” cannot be read ({text}): write it day first, dd/mm/yyyy, e.g. 24/12/2026. The list is not limited by it.',
  to: 'To',
  any: 'any',
  search: 'Search',
  filter: 'Filter',
  csv: 'Download CSV',
  csvExcel: 'CSV for Excel',
  older: 'Older',
  newest: 'Newest',
  noAttempts: 'No attempts.',
  trunkRegistered: 'Carrier trunk registered since {since} ({reason}).',
  pbxRegistered: 'PBX registered to crocetta from {from}, renewed {since}, valid until {until}.',
  pbxRegisteredMany:
    'PBX registered to crocetta: {n} contacts, the latest from {from}, renewed {since}, valid until {until}.',
  registerCannotWrite:
    'The register cannot write to its disk (full, I/O errors or locked): calls are still screened and their attempts held in memory until the disk takes them, but marks and settings cannot be saved. Free space on the disk of the register (the log and /readyz say more).',
  registerHeldOne: 'Waiting in memory now: 1 write (an attempt or its outcome).',
  registerHeldMany: 'Waiting in memory now: {n} writes (attempts and their outcomes).',
  pbxNotRegistered:
    'No PBX registered to crocetta: the calls it lets through cannot reach the office (the caller hears “unavailable”, 480) until the PBX registers.',
  lineToday: 'Today, attempts: {attempts}, stopped: {stopped}.',
  ourNumbers: 'Our numbers',
  ourNumbersNote: 'How many calls each of our numbers took, the most rung first; a number opens its register.',
  trunkNotRegistered:
    'Carrier trunk NOT registered since {since}: {problem} ({reason}). Calls from the carrier cannot reach crocetta.',
  trunkProblemAuth: 'the carrier refused the user name or password',
  trunkProblemRefused: 'the carrier refused the registration',
  trunkProblemUnreachable: 'the carrier does not answer',
  trunkProblemConfig: 'crocetta cannot register yet',
  trunkProblemNone: 'registering',
  markNuisance: 'Mark nuisance',
  markTrusted: 'Mark trusted',
  unmark: 'Remove mark',
  markedDone_nuisance: 'Marked nuisance: {number}. Its next call is handled accordingly.',
  markedDone_trusted: 'Marked trusted: {number}. Its next call is handled accordingly.',
  markedDone_none: 'Mark removed: {number}.',
  letThrough: 'Let the next call through',
  letThroughHint: 'Once, whatever its mark; the call after it is handled as before.',
  letThroughPending: 'Its next call will be let through, once: asked {time}.',
  letThroughWithdraw: 'Withdraw',
  letThroughText: 'Let the next text through',
  letThroughTextHint: 'Once, whatever its mark; the text after it is handled as before.',
  letThroughTextPending: 'Its next text will be let through, once: asked {time}.',
  company: 'Company',
  companyHint: 'the brand the call centre sells for',
  category: 'Category',
  mark: 'Mark',
  marks: 'Marks history',
  noMark: 'not marked',
  markedNuisance: 'nuisance',
  markedTrusted: 'trusted',
  markRemoved: 'mark removed',
  nextCall: 'Next call from this number',
  nextText: 'Next text from this sender',
  nextTextNumber: 'Next text from this number',
  timeline: 'Attempts per day',
  sipDetails: 'SIP details',
  callId: 'Call-ID',
  source: 'Source address',
  userAgent: 'User agent',
  rawNumber: 'Raw caller ID',
  rawCaller: 'Caller ID as received: it is not a valid phone number.',
  rawSender:
    'A text message sender’s name (sender ID) as the carrier gave it: banks, couriers and shops text from one.',
  rawShortCode: 'A short code (a service number) as received: never blocked unless you mark it nuisance.',
  header: 'Caller ID from',
  by: 'by',
  companies: 'Companies',
  numbers: 'Numbers',
  allCategories: 'all categories',
  last7: 'last 7 days',
  last30: 'last 30 days',
  last90: 'last 90 days',
  last365: 'last 12 months',
  leastAdvice:
    'Of the {category} companies you marked, {company} bothered you least (attempts: {n}): if you are choosing a supplier, that is the one to consider.',
  leastAdviceAll: 'Of the companies you marked, {company} bothered you least (attempts: {n}).',
  leastAdviceTied:
    'Of the {category} companies you marked, {companies} bothered you least (attempts: {n} each): if you are choosing a supplier, those are the ones to consider.',
  leastAdviceAllTied: 'Of the companies you marked, {companies} bothered you least (attempts: {n} each).',
  leastAdviceEven:
    'The {category} companies you marked bothered you equally (attempts: {n} each): the rankings cannot tell you which supplier to choose yet.',
  leastAdviceAllEven: 'The companies you marked bothered you equally (attempts: {n} each).',
  aggregatesRebuilding:
    'The figures on this page are being rebuilt from the register (after an upgrade or a change of time zone): until it ends they are incomplete. Calls are screened and recorded as usual.',
  aggregatesRebuildingProgress:
    'The figures on this page are being rebuilt from the register (after an upgrade or a change of time zone): {done} of {total} attempts counted ({percent}%). Until it ends they are incomplete. Calls are screened and recorded as usual.',
  aggregatesRebuildingDays:
    'The ticks per day below are being rebuilt from the register (after an upgrade or a change of time zone): until it ends some days may be missing or short. The total of ticks and the attempts listed are complete.',
  aggregatesRebuildingDaysProgress:
    'The ticks per day below are being rebuilt from the register (after an upgrade or a change of time zone): {done} of {total} attempts counted ({percent}%). Until it ends some days may be missing or short. The total of ticks and the attempts listed are complete.',
  aggregatesRebuildingTicks:
    'The ticks beside each number are being rebuilt from the register (after an upgrade or a change of time zone): until it ends they may be short. The attempts listed are complete.',
  aggregatesRebuildingTicksProgress:
    'The ticks beside each number are being rebuilt from the register (after an upgrade or a change of time zone): {done} of {total} attempts counted ({percent}%). Until it ends they may be short. The attempts listed are complete.',
  noCompanies: 'No company yet: mark a nuisance caller with the company it was selling for.',
  markedNumbers: 'numbers',
  prefixRules: 'Prefix rules',
  prefixRulesHint: 'Longest prefix wins. A whole number with verdict "trusted" is an allow-list entry.',
  noPrefixRules: 'No prefix rule yet.',
  allowList: 'Allow-list',
  prefix: 'Prefix',
  prefixPlaceholder: '02 871769 or +44 20 7946',
  label: 'Label',
  add: 'Add',
  remove: 'Remove',
  save: 'Save',
  reset: 'Back to the configuration file',
  packs: 'Country packs',
  packIT: 'Italy: 0844 telemarketing, 0843 surveys (AGCOM)',
  packFR: 'France: automated-calling ranges (ARCEP)',
  enabled: 'enabled',
  repeatRule: 'Repeat attempts after a refusal',
  repeatAttempts: 'Nuisance from the Nth attempt',
  repeatDays: 'within days',
  actionsPerVerdict: 'Action per verdict',
  withheldAction: 'Withheld callers (empty: as the verdict)',
  saved: 'Saved: the next call uses the new settings.',
  overlaid: 'These settings were changed in the panel and override the configuration file.',
  fromConfig: 'These settings come from the configuration file.',
  invalid: 'Not saved',
  language: 'Language',
  verdict_trusted: 'trusted',
  verdict_unknown: 'unknown',
  verdict_suspect: 'suspect',
  verdict_nuisance: 'nuisance',
  withheld: 'withheld',
  hiddenCaller: 'Withheld number · {tag}',
  hiddenCallerTitle:
    'The caller withheld its number: crocetta screens it by the number the carrier gives, and shows it by this name (the same caller, the same name).',
  sms: 'SMS',
  kindShown: 'Show',
  kindAll: 'All',
  kindCalls: 'Calls',
  smsTitle: 'a text message (SIP MESSAGE), not a call',
  smsText: 'Text:',
  exportTitle: 'Export',
  exportFriend: 'The nuisance numbers, for a friend or a FRITZ!Box (phonebook, XML)',
  exportFriendHint:
    "only the numbers marked nuisance, each with its company: a friend's crocetta imports them as nuisance",
  exportKamailio: 'The nuisance numbers for Kamailio (htable)',
  exportBackup: 'The whole register (a backup, crocetta CSV)',
  exportBackupHint: 'attempts, our numbers and trusted customers too: not for a friend',
  score: 'score',
  nothing: 'none',
  chartAttempts: 'attempts',
  chartStopped: 'stopped',
  notFound: 'Not found',
  error: 'Something went wrong',
  back: 'Back to the dashboard',
  errorForbidden: 'Not allowed',
  errorTooLarge: 'Too large',
  errorUnsupported: 'Not readable',
  errorBusy: 'Busy',
  errorUnavailable: 'Unavailable',
  errorTooMany: 'Too many attempts',
  // The errors below as a page says them to the office; the JSON API says those it shares in its own words (api-text.ts).
  errorCsrf:
    'This form has expired or was not sent from the panel, so it was not accepted and nothing changed. Reload the page and try again.',
  errorNoRoute: 'This page does not exist ({path}): check the address or go back to the dashboard.',
  errorInternal:
    'Internal error: the request did not go through. Try again; if it happens again, the service log says why.',
  errorBodyTooLarge: 'The form you sent is too large: shorten its texts and try again.',
  errorBadJson: 'The data sent is not valid JSON.',
  errorInvalidRequest: 'Request not valid: {detail}',
  errorPrefixTwice: 'The prefix {prefix} is already a rule: to change its verdict or label, remove it first.',
  errorNoRule: 'This rule no longer exists (the page was out of date): reload the page and try again.',
  errorBadRuleOp: 'Unknown operation on the rule: reload the page and try again.',
  errorNumberRequired: 'A phone number is needed (at most 64 characters).',
  errorNotNumber: 'This is not a phone number: {text}.',
  errorHiddenUnknown: 'No withheld caller of this register has this name: the link may come from another crocetta.',
  errorLetThroughNoNumber:
    'Only a caller with a phone number can be let through once: a withheld caller, or one whose caller ID is not a number, has none to know its next call by.',
  errorCompanyAndNumber: 'Choose a company or a number, not both.',
  errorNotUpload: 'No file arrived: choose the file and press the button again.',
  errorPeriodSince: 'The date “From” cannot be read: write it day first, dd/mm/yyyy, e.g. 24/12/2026.',
  errorPeriodUntil: 'The date “To” cannot be read: write it day first, dd/mm/yyyy, e.g. 24/12/2026.',
  errorPeriodOrder: 'The date “From” must come before the date “To”.',
  errorUploadUnreadable: 'The file you sent could not be read: try uploading it again.',
  // A form's body as body-parser refused it (error-handler.ts, by the error's type).
  errorTooManyFields: 'The form you sent has too many fields: reload the page and send it again from there.',
  errorCharset:
    'The form was sent in a character set the panel does not read ({charset}): reload the page and send it again from there.',
  errorContentEncoding:
    'The form was sent compressed in a way the panel does not read ({encoding}): reload the page and send it again from there.',
  errorBodyDamaged: 'The form arrived damaged (its compression could not be read): reload the page and send it again.',
  errorRequestAborted: 'The form arrived cut short (the connection closed before its end): send it again.',
  errorRequestSize: 'The form did not arrive whole (it was shorter or longer than announced): send it again.',
  errorBadRequest: 'The request could not be read: reload the page and try again.',
  errorRegisterUnavailable:
    'The register cannot write at the moment (disk full, disk errors or file locked): nothing was changed, try again later.',
} as const;

export type MessageKey = keyof typeof EN;

const IT: Record<MessageKey, string> = {
  title: 'crocetta',
  dashboard: 'Cruscotto',
  register: 'Registro',
  rankings: 'Classifiche',
  rules: 'Liste e regole',
  settings: 'Impostazioni',
  logout: 'Esci',
  login: 'Entra',
  password: 'Password',
  loginTitle: 'Accedi a crocetta',
  loginWrong: 'Password errata.',
  loginLimited: 'Troppi tentativi: riprova tra qualche minuto.',
  loginNotConfigured: 'Nessuna password di amministrazione: avvia crocetta con ADMIN_PASSWORD per usare il pannello.',
  loginDropped:
    'La sessione era scaduta (crocetta è stato riavviato, o il pannello è rimasto aperto per ore), quindi quello che hai appena inviato NON è stato salvato. Accedi: tornerai alla stessa pagina per rifarlo.',
  today: 'Oggi',
  thisWeek: 'Questa settimana',
  attempts: 'Tentativi',
  stopped: 'Fermati',
  passed: 'Passati',
  unreached: 'Non recapitati',
  unreachedNote:
    'Non recapitati: chiamate che crocetta ha lasciato passare ma che non sono arrivate a nessuno in ufficio: nessun centralino era registrato per riceverle (il chiamante ha sentito “non raggiungibile”, 480), il centralino non ha risposto o si è detto non disponibile (408, 503), il numero chiamato era illeggibile (404 o 414), oppure il chiamante non ha superato la verifica umana. Una chiamata che ha squillato in ufficio senza risposta non è tra queste: è passata.',
  perDay: 'Tentativi al giorno (ultimi 30 giorni)',
  topOffenders: 'I più insistenti della settimana',
  trustedLeftOut: 'I numeri che hai segnato come fidati non sono elencati qui.',
  time: 'Ora',
  number: 'Numero',
  displayName: 'Nome mostrato',
  called: 'Chiamato (nostro numero)',
  verdict: 'Valutazione',
  reason: 'Motivo',
  action: 'Azione',
  ticks: 'Crocette',
  outcome: 'Come è finita',
  talked: 'parlato',
  messagePlayed: 'messaggio ascoltato',
  check_passed: 'verifica superata',
  'check_no-digit': 'verifica: nessun tasto',
  'check_wrong-digit': 'verifica: tasto sbagliato',
  'check_hung-up': 'verifica: ha riattaccato',
  outcome_pending: 'in corso',
  outcome_forwarded: 'inoltrata',
  outcome_answered: 'risposta',
  outcome_declined: 'non accettata',
  outcome_rejected: 'respinta',
  outcome_cancelled: 'annullata',
  outcome_failed: 'non riuscita',
  outcome_timeout: 'nessuna risposta in tempo',
  period: 'Periodo',
  from: 'Dal',
  dateFormat: 'gg/mm/aaaa',
  dateUnread:
    'La data «{field}» non si legge ({text}): scrivila come gg/mm/aaaa, per esempio 24/12/2026. L’elenco non è limitato da quella data.',
  to: 'Al',
  any: 'qualsiasi',
  search: 'Cerca',
  filter: 'Filtra',
  csv: 'Scarica CSV',
  csvExcel: 'CSV per Excel',
  older: 'Più vecchi',
  newest: 'Più recenti',
  noAttempts: 'Nessun tentativo.',
  trunkRegistered: 'Linea del gestore registrata dal {since} ({reason}).',
  pbxRegistered: 'Centralino registrato a crocetta da {from}, rinnovato il {since}, valido fino al {until}.',
  pbxRegisteredMany:
    'Centralino registrato a crocetta: {n} contatti, l’ultimo da {from}, rinnovato il {since}, valido fino al {until}.',
  registerCannotWrite:
    'Il registro non riesce a scrivere sul suo disco (pieno, errori di I/O o bloccato): le chiamate sono ancora filtrate e i loro tentativi tenuti in memoria finché il disco li accetta, ma segni e impostazioni non si possono salvare. Liberare spazio sul disco del registro (il log e /readyz dicono di più).',
  registerHeldOne: 'In attesa in memoria ora: 1 scrittura (un tentativo o il suo esito).',
  registerHeldMany: 'In attesa in memoria ora: {n} scritture (tentativi e loro esiti).',
  pbxNotRegistered:
    'Nessun centralino registrato a crocetta: le chiamate che lascia passare non arrivano in ufficio (il chiamante sente “non raggiungibile”, 480) finché il centralino non si registra.',
  lineToday: 'Oggi, tentativi: {attempts}, fermati: {stopped}.',
  ourNumbers: 'I nostri numeri',
  ourNumbersNote:
    'Quante chiamate ha ricevuto ciascuno dei nostri numeri, il più chiamato in cima; un numero apre il suo registro.',
  trunkNotRegistered:
    'Linea del gestore NON registrata dal {since}: {problem} ({reason}). Le chiamate del gestore non arrivano a crocetta.',
  trunkProblemAuth: 'il gestore rifiuta nome utente o password',
  trunkProblemRefused: 'il gestore rifiuta la registrazione',
  trunkProblemUnreachable: 'il gestore non risponde',
  trunkProblemConfig: 'crocetta non può ancora registrarsi',
  trunkProblemNone: 'registrazione in corso',
  markNuisance: 'Segna molesto',
  markTrusted: 'Segna fidato',
  unmark: 'Togli il segno',
  markedDone_nuisance: 'Segnato come molesto: {number}. La sua prossima chiamata sarà trattata di conseguenza.',
  markedDone_trusted: 'Segnato come fidato: {number}. La sua prossima chiamata sarà trattata di conseguenza.',
  markedDone_none: 'Segno tolto: {number}.',
  letThrough: 'Fai passare la prossima chiamata',
  letThroughHint: 'Una volta sola, qualunque sia il segno; la chiamata dopo è trattata come prima.',
  letThroughPending: 'La sua prossima chiamata passerà, una volta sola: chiesto {time}.',
  letThroughWithdraw: 'Annulla',
  letThroughText: 'Fai passare il prossimo messaggio',
  letThroughTextHint: 'Una volta sola, qualunque sia il segno; il messaggio dopo è trattato come prima.',
  letThroughTextPending: 'Il suo prossimo messaggio passerà, una volta sola: chiesto {time}.',
  company: 'Azienda',
  companyHint: 'il marchio per cui vende il call center',
  category: 'Categoria',
  mark: 'Segno',
  marks: 'Storia dei segni',
  noMark: 'non segnato',
  markedNuisance: 'molesto',
  markedTrusted: 'fidato',
  markRemoved: 'segno tolto',
  nextCall: 'Prossima chiamata da questo numero',
  nextText: 'Prossimo messaggio da questo mittente',
  nextTextNumber: 'Prossimo messaggio da questo numero',
  timeline: 'Tentativi al giorno',
  sipDetails: 'Dettagli SIP',
  callId: 'Call-ID',
  source: 'Indirizzo di origine',
  userAgent: 'User agent',
  rawNumber: 'Identificativo grezzo',
  rawCaller: 'Identificativo del chiamante come è arrivato: non è un numero di telefono valido.',
  rawSender:
    'Nome del mittente degli SMS (ID mittente) come l’ha dato l’operatore: banche, corrieri e negozi scrivono da un nome.',
  rawShortCode: 'Numero breve (di servizio) come è arrivato: mai bloccato, a meno che non lo segniate come molesto.',
  header: 'Preso da',
  by: 'da',
  companies: 'Aziende',
  numbers: 'Numeri',
  allCategories: 'tutte le categorie',
  last7: 'ultimi 7 giorni',
  last30: 'ultimi 30 giorni',
  last90: 'ultimi 90 giorni',
  last365: 'ultimi 12 mesi',
  leastAdvice:
    'Tra le aziende di {category} che hai segnato, {company} ti ha disturbato meno (tentativi: {n}): se devi scegliere un fornitore, è quella da considerare.',
  leastAdviceAll: 'Tra le aziende che hai segnato, {company} ti ha disturbato meno (tentativi: {n}).',
  leastAdviceTied:
    'Tra le aziende di {category} che hai segnato, {companies} ti hanno disturbato meno (tentativi: {n} ciascuna): se devi scegliere un fornitore, sono quelle da considerare.',
  leastAdviceAllTied: 'Tra le aziende che hai segnato, {companies} ti hanno disturbato meno (tentativi: {n} ciascuna).',
  leastAdviceEven:
    'Le aziende di {category} che hai segnato ti hanno disturbato allo stesso modo (tentativi: {n} ciascuna): la classifica non sa ancora dirti quale fornitore scegliere.',
  leastAdviceAllEven: 'Le aziende che hai segnato ti hanno disturbato allo stesso modo (tentativi: {n} ciascuna).',
  aggregatesRebuilding:
    'Le cifre di questa pagina sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): finché non termina sono incomplete. Le chiamate sono filtrate e registrate come sempre.',
  aggregatesRebuildingProgress:
    'Le cifre di questa pagina sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): contati {done} tentativi su {total} ({percent}%). Finché non termina sono incomplete. Le chiamate sono filtrate e registrate come sempre.',
  aggregatesRebuildingDays:
    'Le crocette per giorno qui sotto sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): finché non termina alcuni giorni possono mancare o essere incompleti. Il totale delle crocette e i tentativi elencati sono completi.',
  aggregatesRebuildingDaysProgress:
    'Le crocette per giorno qui sotto sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): contati {done} tentativi su {total} ({percent}%). Finché non termina alcuni giorni possono mancare o essere incompleti. Il totale delle crocette e i tentativi elencati sono completi.',
  aggregatesRebuildingTicks:
    'Le crocette accanto a ogni numero sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): finché non termina possono essere meno del vero. I tentativi elencati sono completi.',
  aggregatesRebuildingTicksProgress:
    'Le crocette accanto a ogni numero sono in ricostruzione dal registro (dopo un aggiornamento o un cambio di fuso orario): contati {done} tentativi su {total} ({percent}%). Finché non termina possono essere meno del vero. I tentativi elencati sono completi.',
  noCompanies: 'Ancora nessuna azienda: segna un chiamante molesto con l’azienda per cui vendeva.',
  markedNumbers: 'numeri',
  prefixRules: 'Regole per prefisso',
  prefixRulesHint:
    'Vince il prefisso più lungo. Un numero intero con valutazione "fidato" è una voce della lista consentiti.',
  noPrefixRules: 'Ancora nessuna regola per prefisso.',
  allowList: 'Lista consentiti',
  prefix: 'Prefisso',
  prefixPlaceholder: '02 871769 o +44 20 7946',
  label: 'Etichetta',
  add: 'Aggiungi',
  remove: 'Togli',
  save: 'Salva',
  reset: 'Torna al file di configurazione',
  packs: 'Pacchetti per paese',
  packIT: 'Italia: 0844 telemarketing, 0843 sondaggi (AGCOM)',
  packFR: 'Francia: numerazioni per chiamate automatiche (ARCEP)',
  enabled: 'attivo',
  repeatRule: 'Tentativi ripetuti dopo un rifiuto',
  repeatAttempts: 'Molesto dal tentativo N',
  repeatDays: 'entro giorni',
  actionsPerVerdict: 'Azione per valutazione',
  withheldAction: 'Numeri nascosti (vuoto: come la valutazione)',
  saved: 'Salvato: la prossima chiamata usa le nuove impostazioni.',
  overlaid: 'Queste impostazioni sono state cambiate nel pannello e prevalgono sul file di configurazione.',
  fromConfig: 'Queste impostazioni vengono dal file di configurazione.',
  invalid: 'Non salvato',
  language: 'Lingua',
  verdict_trusted: 'fidato',
  verdict_unknown: 'sconosciuto',
  verdict_suspect: 'sospetto',
  verdict_nuisance: 'molesto',
  withheld: 'nascosto',
  hiddenCaller: 'Numero nascosto · {tag}',
  hiddenCallerTitle:
    'Chi chiama ha nascosto il suo numero: crocetta lo valuta col numero che dà l’operatore e lo mostra con questo nome (lo stesso chiamante, lo stesso nome).',
  sms: 'SMS',
  kindShown: 'Mostra',
  kindAll: 'Tutto',
  kindCalls: 'Chiamate',
  smsTitle: 'un messaggio di testo (SIP MESSAGE), non una chiamata',
  smsText: 'Testo:',
  exportTitle: 'Esporta',
  exportFriend: 'I numeri molesti, per un amico o un FRITZ!Box (rubrica, XML)',
  exportFriendHint:
    'solo i numeri segnati molesti, ciascuno con la sua azienda: il crocetta di un amico li importa come molesti',
  exportKamailio: 'I numeri molesti per Kamailio (htable)',
  exportBackup: 'Tutto il registro (copia di sicurezza, CSV di crocetta)',
  exportBackupHint: 'anche i tentativi, i nostri numeri e i clienti fidati: non per un amico',
  score: 'punteggio',
  nothing: 'nessuno',
  chartAttempts: 'tentativi',
  chartStopped: 'fermati',
  notFound: 'Non trovato',
  error: 'Qualcosa è andato storto',
  back: 'Torna al cruscotto',
  errorForbidden: 'Non consentito',
  errorTooLarge: 'Troppo grande',
  errorUnsupported: 'Non leggibile',
  errorBusy: 'Occupato',
  errorUnavailable: 'Non disponibile',
  errorTooMany: 'Troppi tentativi',
  errorCsrf:
    'Questo modulo è scaduto o non è stato inviato dal pannello, quindi non è stato accettato e nulla è cambiato. Ricarica la pagina e riprova.',
  errorNoRoute: 'Questa pagina non esiste ({path}): controlla l’indirizzo o torna al cruscotto.',
  errorInternal:
    'Errore interno: la richiesta non è andata a buon fine. Riprova; se succede ancora, il registro del servizio (log) dice il perché.',
  errorBodyTooLarge: 'Il modulo inviato è troppo grande: accorcia i testi e riprova.',
  errorBadJson: 'I dati inviati non sono JSON valido.',
  errorInvalidRequest: 'Richiesta non valida: {detail}',
  errorPrefixTwice:
    "Il prefisso {prefix} è già una regola: per cambiarne la valutazione o l'etichetta, rimuovila prima.",
  errorNoRule: 'Questa regola non esiste più (la pagina non era aggiornata): ricarica la pagina e riprova.',
  errorBadRuleOp: 'Operazione sconosciuta sulla regola: ricarica la pagina e riprova.',
  errorNumberRequired: 'Serve un numero di telefono (al massimo 64 caratteri).',
  errorNotNumber: 'Non è un numero di telefono: {text}.',
  errorHiddenUnknown:
    'Nessun numero nascosto di questo registro ha questo nome: il collegamento forse viene da un altro crocetta.',
  errorLetThroughNoNumber:
    'Si può lasciar passare una volta solo chi chiama con un numero: un numero nascosto, o un identificativo che non è un numero, non ha nulla per riconoscerne la prossima chiamata.',
  errorCompanyAndNumber: 'Scegli un’azienda oppure un numero, non entrambi.',
  errorNotUpload: 'Non è arrivato nessun file: scegli il file e premi di nuovo il pulsante.',
  errorPeriodSince: 'La data «Dal» non si legge: scrivila come gg/mm/aaaa, per esempio 24/12/2026.',
  errorPeriodUntil: 'La data «Al» non si legge: scrivila come gg/mm/aaaa, per esempio 24/12/2026.',
  errorPeriodOrder: 'La data «Dal» deve venire prima della data «Al».',
  errorUploadUnreadable: 'Il file inviato non si è potuto leggere: riprova a caricarlo.',
  errorTooManyFields: 'Il modulo inviato ha troppi campi: ricarica la pagina e invialo di nuovo da lì.',
  errorCharset:
    'Il modulo è stato inviato con una codifica di caratteri che il pannello non legge ({charset}): ricarica la pagina e invialo di nuovo da lì.',
  errorContentEncoding:
    'Il modulo è stato inviato compresso in un modo che il pannello non legge ({encoding}): ricarica la pagina e invialo di nuovo da lì.',
  errorBodyDamaged:
    'Il modulo è arrivato danneggiato (la sua compressione non si legge): ricarica la pagina e invialo di nuovo.',
  errorRequestAborted: 'Il modulo è arrivato a metà (la connessione si è chiusa prima della fine): invialo di nuovo.',
  errorRequestSize:
    'Il modulo non è arrivato intero (era più corto o più lungo di quanto annunciato): invialo di nuovo.',
  errorBadRequest: 'La richiesta non si è potuta leggere: ricarica la pagina e riprova.',
  errorRegisterUnavailable:
    'Il registro non può scrivere in questo momento (disco pieno, errori del disco o file bloccato): non è cambiato nulla, riprova più tardi.',
};

const DICTS: Record<Lang, Record<MessageKey, string>> = { en: EN, it: IT };

/** A catalogue text in `lang`, without a locale (no dates or numbers to format). */
export function textIn(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  return fillParams(DICTS[lang][key], params);
}

/** `text` with each `{name}` replaced by its parameter. */
export function fillParams(text: string, params: Record<string, string | number> | undefined): string {
  let s = text;
  if (params) for (const [k, v] of Object.entries(params)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** The cookie's language, else the first supported language in Accept-Language (by q), else Italian. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { lang: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (isLang(r.lang)) return r.lang;
  return 'it';
}

/** What a page needs to speak the office's language and tell its time. */
export interface Locale {
  lang: Lang;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** Date and time, e.g. "05/11/2026, 09:30". */
  dateTime: (ms: number) => string;
  /** Date only, e.g. "27 nov 2026". */
  date: (ms: number) => string;
  /** Day and month in the business's zone, e.g. "27 nov". */
  dayMonth: (ms: number) => string;
  /** A local day number (days since 1970-01-01 in the business's zone), e.g. "5 nov". */
  day: (day: number) => string;
  number: (n: number) => string;
  /**
   * A phone number (E.164, a DID, a `raw:` caller key) as people read it: `02 1234 5678`, `+44 20 7946 0958`; a
   * withheld caller's token (withheld.ts) as `Numero nascosto · A3F9`.
   */
  phone: (value: string) => string;
  /** A rule's number prefix (E.164, `+3902871769`) as the office dials it: `02 8717 69`, `+44 20 7946`. */
  prefix: (value: string) => string;
}

/** The BCP 47 tag the panel formats `lang`'s dates and numbers with. */
export function localeTag(lang: Lang): 'it-IT' | 'en-GB' {
  return lang === 'it' ? 'it-IT' : 'en-GB';
}

/** The office's language, its time zone, and its country (`defaultCountry`: its numbers are shown national). */
export function localeFor(lang: Lang, timeZone: string, country: string): Locale {
  const dict = DICTS[lang];
  const tag = localeTag(lang);
  const dt = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'short', timeStyle: 'short' });
  const d = new Intl.DateTimeFormat(tag, { timeZone, dateStyle: 'medium' });
  const dayFmt = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', day: 'numeric', month: 'short' });
  const dayMonthFmt = new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'short' });
  const num = new Intl.NumberFormat(tag);
  return {
    lang,
    t: (key, params) => fillParams(dict[key], params),
    dateTime: (ms) => dt.format(ms),
    date: (ms) => d.format(ms),
    dayMonth: (ms) => dayMonthFmt.format(ms),
    day: (day) => dayFmt.format(day * 86_400_000),
    number: (n) => num.format(n),
    phone: (value) => {
      const tag = hiddenTag(value);
      return tag === null ? phoneText(value, country) : fillParams(dict.hiddenCaller, { tag });
    },
    prefix: (value) => prefixText(value, country),
  };
}
