/**
 * One line of a Flickr30k Entities `Sentences/<image>.txt` file: a caption with its phrases marked
 * as `[/EN#<entity id>/<type>[/<type>...] words]`, e.g.
 *   "[/EN#18/people A child] in [/EN#19/clothing a pink dress] is climbing up [/EN#20/other a set of stairs] ."
 * → the plain caption and, per phrase, its entity id, type(s) and character span in the plain caption.
 *
 * Source: Plummer et al., Flickr30k Entities (ICCV 2015); BryanPlummer/flickr30k_entities
 * `flickr30k_entities_utils.py` (get_sentence_data) for the markup, reimplemented.
 */
export interface MarkedPhrase {
  entityId: string;
  type: string;
  text: string;
  span: [number, number];
}

const PHRASE = /\[\/EN#(\d+)((?:\/[^\s\]/]+)*)\s+([^\]]*)\]/g;

export function parseFlickrSentence(line: string, where: string): { text: string; phrases: MarkedPhrase[] } {
  const phrases: MarkedPhrase[] = [];
  let text = '';
  let last = 0;
  for (const m of line.matchAll(PHRASE)) {
    text += line.slice(last, m.index);
    const start = text.length;
    text += m[3]!;
    phrases.push({ entityId: m[1]!, type: m[2]!.slice(1), text: m[3]!, span: [start, text.length] });
    last = m.index! + m[0].length;
  }
  text += line.slice(last);
  if (/[[\]]/.test(text)) {
    const at = line.search(/\[(?!\/EN#\d)|\]/);
    throw new Error(`${where}: malformed phrase markup near character ${at >= 0 ? at : 0}: "${line.slice(Math.max(0, at - 10), at + 30)}" (expected [/EN#id/type words]).`);
  }
  return { text, phrases };
}

/** The markup line of a caption with phrases (inverse of parseFlickrSentence). */
export function formatFlickrSentence(text: string, phrases: readonly { entityId: string; type: string; span: [number, number] }[]): string {
  let out = '';
  let last = 0;
  for (const p of [...phrases].sort((a, b) => a.span[0] - b.span[0])) {
    out += `${text.slice(last, p.span[0])}[/EN#${p.entityId}/${p.type} ${text.slice(p.span[0], p.span[1])}]`;
    last = p.span[1];
  }
  return out + text.slice(last);
}
