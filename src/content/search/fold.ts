// Spelling-insensitive form of a stem: people write French as it sounds ("ekol", "pasepor", "sedeao",
// "arete"), so the letters that sound alike are folded on both sides (index and question):
// qu/c(a,o,u) -> k, c(e,i,y) -> s, g(e,i,y) -> j, ph -> f, z -> s, y -> i, doubled letters -> one.

export function fold(stem: string): string {
  if (/\d/.test(stem)) return stem;
  return stem
    .replace(/qu/g, 'k')
    .replace(/ck/g, 'k')
    .replace(/ph/g, 'f')
    .replace(/c(?=[eiy])/g, 's')
    .replace(/c(?!h)/g, 'k')
    .replace(/g(?=[eiy])/g, 'j')
    .replace(/z/g, 's')
    .replace(/y/g, 'i')
    .replace(/(.)\1+/g, '$1');
}
