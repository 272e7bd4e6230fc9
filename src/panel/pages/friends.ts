/**
 * The Friends page (`/friends`, linked from Lists and rules): the friends whose signed feeds this crocetta pulls, with
 * what each reports and how its last pull went, a form to add one and a button to remove one; and what to give a
 * friend so that they pull ours (the feed's address and our public key). Before, all of it was `crocetta feed` only.
 */
import type { FriendStatus } from '../../sharing/feeds/friends-store.js';
import { html, type SafeHtml } from '../html.js';
import { friendErrorText } from '../friend-error-text.js';
import type { Lang } from '../i18n.js';
import { csrfField, page, type PageContext } from './layout.js';

const TEXTS = {
  en: {
    title: 'Friends',
    hint: 'Offices you trust share the numbers they marked as nuisance: crocetta pulls each friend’s signed feed on a schedule and counts its reports as evidence (a friend’s weight: how much). A feed that does not verify with the friend’s key is refused, never merged.',
    none: 'No friends yet.',
    name: 'Name',
    url: 'Feed address',
    weight: 'Weight',
    numbers: 'Numbers reported',
    lastPull: 'Last pull',
    never: 'not pulled yet',
    error: 'Last error',
    remove: 'Remove',
    addTitle: 'Add a friend',
    addHint:
      'The feed’s address and public key are on your friend’s own Friends page (What to give a friend). No page shows the feed token: it is the CROCETTA_FEED_TOKEN your friend’s operator (whoever runs their crocetta) set in its configuration; ask them for it, by a channel others cannot read.',
    key: 'Their public key',
    token: 'Their feed token',
    add: 'Add',
    added: 'Friend {name} added: its feed is being pulled.',
    removed: 'Friend {name} removed with its reports.',
    noSuch: 'There is no friend named {name}.',
    invalid: 'Not added',
    badName: 'the name takes 1 to 60 letters, digits and . _ @ - (no spaces)',
    badUrl: 'the feed’s address must be a web address (https://… or http://…)',
    badKey: 'that is not a public key: copy it whole from your friend’s Friends page (a line ending in =)',
    badWeight:
      'the weight is a number from 0 to 1 (0.6: one friend’s report makes a caller suspect; 0.9 makes it nuisance)',
    taken: 'a friend named {name} exists already',
    oursTitle: 'What to give a friend',
    oursHint:
      'Give a friend these, and the feed token: the CROCETTA_FEED_TOKEN whoever runs this crocetta set in its configuration (no page shows it; ask them). It opens the feed and nothing else.',
    ourUrl: 'Your feed’s address',
    ourKey: 'Your public key',
    tokenSet: 'A feed token is set.',
    tokenUnset:
      'No feed token is set: only the API token opens your feed. Set CROCETTA_FEED_TOKEN before you give it to a friend.',
  },
  it: {
    title: 'Amici',
    hint: 'Gli uffici di cui ti fidi condividono i numeri che hanno segnato come molesti: crocetta scarica a intervalli il feed firmato di ogni amico e conta le sue segnalazioni come indizi (il peso dell’amico: quanto). Un feed che non si verifica con la chiave dell’amico è rifiutato, mai unito.',
    none: 'Ancora nessun amico.',
    name: 'Nome',
    url: 'Indirizzo del feed',
    weight: 'Peso',
    numbers: 'Numeri segnalati',
    lastPull: 'Ultimo scaricamento',
    never: 'non ancora scaricato',
    error: 'Ultimo errore',
    remove: 'Rimuovi',
    addTitle: 'Aggiungi un amico',
    addHint:
      'L’indirizzo del feed e la chiave pubblica sono sulla pagina Amici del tuo amico (Cosa dare a un amico). Il token del feed non lo mostra nessuna pagina: è il CROCETTA_FEED_TOKEN che chi gestisce il crocetta del tuo amico ha impostato nella sua configurazione; chiedilo a lui, per un canale che altri non leggono.',
    key: 'La sua chiave pubblica',
    token: 'Il suo token del feed',
    add: 'Aggiungi',
    added: 'Amico {name} aggiunto: il suo feed è in scaricamento.',
    removed: 'Amico {name} rimosso con le sue segnalazioni.',
    noSuch: 'Non c’è nessun amico di nome {name}.',
    invalid: 'Non aggiunto',
    badName: 'il nome ha da 1 a 60 lettere, cifre e . _ @ - (senza spazi)',
    badUrl: 'l’indirizzo del feed dev’essere un indirizzo web (https://… o http://…)',
    badKey:
      'questa non è una chiave pubblica: copiala intera dalla pagina Amici del tuo amico (una riga che finisce con =)',
    badWeight:
      'il peso è un numero da 0 a 1 (0,6: la segnalazione di un amico rende sospetto un chiamante; 0,9 lo rende molesto)',
    taken: 'esiste già un amico di nome {name}',
    oursTitle: 'Cosa dare a un amico',
    oursHint:
      'Dai a un amico questi dati, e il token del feed: il CROCETTA_FEED_TOKEN che chi gestisce questo crocetta ha impostato nella sua configurazione (nessuna pagina lo mostra; chiedilo a lui). Apre il feed e nient’altro.',
    ourUrl: 'L’indirizzo del tuo feed',
    ourKey: 'La tua chiave pubblica',
    tokenSet: 'Un token del feed è impostato.',
    tokenUnset:
      'Nessun token del feed è impostato: solo il token delle API apre il tuo feed. Imposta CROCETTA_FEED_TOKEN prima di darlo a un amico.',
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type FriendsText = keyof (typeof TEXTS)['en'];

/** A text of the page in `lang`, with `{name}` filled in. */
export function friendsText(lang: Lang, key: FriendsText, name = ''): string {
  return TEXTS[lang][key].replace('{name}', name);
}

export interface FriendsData {
  friends: readonly FriendStatus[];
  /** Our feed's address as this request reached the panel. */
  ourUrl: string;
  ourKey: string;
  feedTokenSet: boolean;
  defaultWeight: number;
  message: { ok: boolean; text: string } | null;
  /**
   * What the add form held when it was refused, to correct rather than type again (never the token); the weight
   * left blank is offered again as the default, as the page's language writes it.
   */
  form?: { name: string; url: string; key: string; weight?: string };
}

function friendRow(ctx: PageContext, f: FriendStatus): SafeHtml {
  const t = TEXTS[ctx.loc.lang];
  // Each cell names its column (data-label): on a phone the rows become cards, as the register's.
  return html`<tr><td data-label="${t.name}">${f.name}</td><td class="mono small" data-label="${t.url}">${f.url}</td><td class="num" data-label="${t.weight}">${ctx.loc.number(f.weight)}</td>
<td class="num" data-label="${t.numbers}">${ctx.loc.number(f.numbers)}</td><td data-label="${t.lastPull}">${f.lastPullAt === null ? html`<span class="muted">${t.never}</span>` : ctx.loc.dateTime(f.lastPullAt)}</td>
<td data-label="${t.error}">${f.lastError === null ? '' : html`<span class="error small" title="${f.lastError}">${friendErrorText(ctx.loc, f.lastError)}</span>`}</td>
<td><form method="post" action="/friends">${csrfField(ctx)}<input type="hidden" name="action" value="remove"><input type="hidden" name="name" value="${f.name}"><button type="submit" aria-label="${`${t.remove} ${f.name}`}">${t.remove}</button></form></td></tr>`;
}

export function friendsPage(ctx: PageContext, d: FriendsData): SafeHtml {
  const t = TEXTS[ctx.loc.lang];
  // The weight as the page's language writes it, 0,6 in Italian (the route reads a comma or a point).
  const form = { name: '', url: '', key: '', ...d.form, weight: d.form?.weight ?? ctx.loc.number(d.defaultWeight) };
  return page(
    ctx,
    t.title,
    html`${
      d.message
        ? html`<p class="notice${d.message.ok ? '' : ' error'}" role="status">${d.message.ok ? '' : `${t.invalid}: `}${d.message.text}</p>`
        : ''
    }
<p class="muted small">${t.hint}</p>
<section class="panel" id="friends">
<h2>${t.title}</h2>
${
  d.friends.length === 0
    ? html`<p class="muted">${t.none}</p>`
    : html`<div class="scroll"><table id="friends-list" class="stack">
<thead><tr><th>${t.name}</th><th>${t.url}</th><th>${t.weight}</th><th>${t.numbers}</th><th>${t.lastPull}</th><th>${t.error}</th><th></th></tr></thead>
<tbody>${d.friends.map((f) => friendRow(ctx, f))}</tbody></table></div>`
}
</section>
<section class="panel" id="friend-add">
<h2>${t.addTitle}</h2>
<p class="muted small">${t.addHint}</p>
<form method="post" action="/friends">
  ${csrfField(ctx)}<input type="hidden" name="action" value="add">
  <p class="row"><label>${t.name}<input name="name" required maxlength="60" pattern="[A-Za-z0-9_.@\\-]+" value="${form.name}"></label>
  <label>${t.weight}<input name="weight" required inputmode="decimal" maxlength="6" value="${form.weight}"></label></p>
  <p><label>${t.url}<input name="url" type="url" required maxlength="2000" value="${form.url}" placeholder="https://…/api/feed"></label></p>
  <p><label>${t.key}<textarea name="key" required rows="2" maxlength="200" class="mono">${form.key}</textarea></label></p>
  <p><label>${t.token}<input name="token" type="password" required maxlength="500" autocomplete="off"></label></p>
  <button type="submit" class="primary">${t.add}</button>
</form>
</section>
<section class="panel" id="our-feed">
<h2>${t.oursTitle}</h2>
<p class="muted small">${t.oursHint}</p>
<p>${t.ourUrl}<br><code>${d.ourUrl}</code></p>
<p>${t.ourKey}<br><code>${d.ourKey}</code></p>
<p class="${d.feedTokenSet ? 'muted small' : 'error small'}">${d.feedTokenSet ? t.tokenSet : t.tokenUnset}</p>
</section>`,
  );
}
