// Words that carry no meaning for finding an FAQ, per language (normalised: no accents).
// The search drops the union of the three lists, so a word that means something in one language
// (en "son", bm "so" = home, bm "mine" = arrested) must not appear in any list.
// The lists double as the evidence for guessing the language of a message.

export const STOPWORDS: Record<'fr' | 'en' | 'bm', ReadonlySet<string>> = {
  fr: new Set(
    `a au aux avec ce ces cet cette ca cela ceci c d de des du dans donc elle elles en entre et est es etes etait ete etre
    eu il ils j je l la le les leur leurs lui m ma me mes moi mon meme n ne ni nos notre nous on ont ou par pas plus pour
    qu que quel quelle quels quelles qui quoi s sa se ses si sont suis sommes sur t ta te tes toi ton tu un une vos votre
    vous y ai as avons avez avait avoir fait faire fais peut peux pouvoir veux veut voulons vouloir voudrais faut dois doit
    devoir va vais aller vas sais savoir dit dire comment pourquoi quand combien cest oui non si alors aussi tres bien
    encore deja ici la-bas voila bonjour salut merci svp stp coucou chose choses quelqu quelque quelques tout tous toute
    toutes rien ya car or mais puis chez vers depuis pendant apres avant lors comme autre autres etc est-ce estce qqch
    vraiment juste peu beaucoup trop sinon parce puisque ainsi jamais toujours maintenant aujourd hui`.split(/\s+/),
  ),
  en: new Set(
    `a an the and or but if of to in on at by for from with about as into is are was were be been being am do does did
    doing done have has had having i me my myself you your yours he him his she her it its we us our ours they them their
    what which who whom whose this that these those there here how why when where can could will would shall should may
    might must not no yes just very too also any some all each more most other such only own same than then now get gets
    got getting go goes going gone want wants wanted know please hi hello hey thanks thank ok okay dear sir madam still
    really even because since until while whether tell told say said let lets make made one something anything thing
    things way yet ever already did`.split(/\s+/),
  ),
  bm: new Set(
    `n ne i e a an aw u olu ka ye be te ma la na ni ko kan wa de dun min o nin ninnu sisan fana walima ani bi k b y m tun
    kosebe ce se ke don di fo fe dow wo ale anw ola kono`.split(/\s+/),
  ),
};

export const ALL_STOPWORDS: ReadonlySet<string> = new Set([...STOPWORDS.fr, ...STOPWORDS.en, ...STOPWORDS.bm]);
