import type { LexiconSpec } from './types.js';

/**
 * Spanish emotion words (smaller than the English list), chosen for this project by hand.
 * Spanish inflects heavily, so most entries are stems (`stem*`); words are compared without
 * accents ("lágrima" → "lagrima"). Stems that collide with common unrelated words are avoided
 * ("ira" is also "irá" without accents, "ador*" catches "adorno", "rei*" "reina", "bes*" "bestia", "aterr*" "aterrizar", "content*" "contenido").
 */
export const spanish: LexiconSpec = {
  language: 'es',
  emotions: {
    joy: {
      strong: ['jubilo', 'euforia', 'eufori*', 'dichos*', 'radiante*'],
      moderate: [
        'feliz', 'felices', 'felicidad', 'alegr*', 'contento', 'contenta', 'contentos', 'contentas', 'gozo*', 'encantad*',
        'reir', 'reia', 'reian', 'riendo', 'rieron', 'carcajad*', 'sonri*', 'sonrie', 'sonreia', 'sonreir*', 'disfrut*',
      ],
      mild: ['agradable', 'maravillos*', 'divertid*', 'alivi*', 'agradecid*'],
    },
    sadness: {
      strong: ['desconsol*', 'desesper*', 'desdich*', 'angusti*', 'afligid*'],
      moderate: ['triste*', 'tristeza', 'llor*', 'lagrim*', 'sollo*', 'melancol*', 'infeliz', 'desilusion*', 'decepcion*', 'apenad*'],
      mild: ['pena', 'penas', 'suspir*', 'solitari*', 'soledad', 'lastima', 'murio', 'murieron', 'muert*'],
    },
    anger: {
      strong: ['furios*', 'furia', 'colera', 'iracund*', 'enfureci*', 'rabios*'],
      moderate: ['enfad*', 'enoj*', 'rabia', 'indign*', 'odio', 'odiaba', 'odiar*', 'odia', 'irritad*', 'regan*'],
      mild: ['molest*', 'gruno', 'grunia', 'grunir', 'grito', 'gritaba', 'grunon*', 'rezong*'],
    },
    fear: {
      strong: ['terror', 'aterrad*', 'aterroriz*', 'panico', 'horror*', 'espantad*', 'pavor*'],
      moderate: ['miedo', 'miedos*', 'asust*', 'temor*', 'temer*', 'temia', 'temian', 'temio', 'teme', 'temen', 'tembl*', 'espant*', 'alarm*', 'peligr*', 'amenaz*', 'huyo', 'huyeron', 'huir'],
      mild: ['nervios*', 'preocup*', 'inquiet*', 'escalofri*', 'monstruo*', 'fantasma*', 'terribl*'],
    },
    surprise: {
      strong: ['atonit*', 'estupefact*', 'pasmad*', 'boquiabiert*'],
      moderate: ['sorpres*', 'sorprend*', 'asombr*', 'inesperad*', 'increibl*'],
      mild: ['repente', 'extran*', 'raro', 'rara'],
    },
    disgust: {
      strong: ['asquer*', 'repugnan*', 'repulsi*', 'nauseabund*'],
      moderate: ['asco', 'ascos', 'asquead*', 'podrid*', 'apest*', 'hedor', 'nause*', 'inmund*'],
      mild: ['sucio', 'sucia', 'suciedad', 'feo', 'fea', 'agrio', 'agria', 'agrias', 'agrios'],
    },
    contempt: {
      strong: ['despreci*', 'desden', 'desden*', 'menospreci*'],
      moderate: ['burl*', 'mofa', 'mofo', 'arrogan*', 'soberbi*', 'altiv*', 'insult*', 'ridicul*'],
      mild: ['tonto', 'tonta', 'necio', 'necia', 'mentiroso', 'mentirosa'],
    },
    love: {
      strong: ['adoraba', 'adoraban', 'adorar', 'adoro', 'adora', 'adoran', 'adorad*', 'adorable*', 'enamor*', 'amadisim*', 'devocion'],
      moderate: ['amor', 'amores', 'amar', 'amaba', 'amaban', 'amado', 'amada', 'amados', 'amadas', 'querid*', 'carin*', 'ternura', 'tierno', 'tierna', 'tiernamente', 'beso', 'besos', 'besaba', 'besar', 'besaron', 'abraz*'],
      mild: ['dulce', 'dulces', 'dulcemente', 'amistad'],
    },
    curiosity: {
      moderate: ['curios*', 'intrig*', 'misteri*', 'fascinad*'],
      mild: ['pregunt*', 'averigu*', 'explor*', 'investig*'],
    },
    excitement: {
      strong: ['entusiasmad*', 'exaltad*'],
      moderate: ['emocion*', 'entusias*', 'ilusionad*', 'impacien*', 'ansios*', 'hurra', 'aventura*'],
      mild: ['prisa', 'apresur*'],
    },
  },
  negators: ['no', 'nunca', 'jamas', 'ni', 'sin', 'tampoco', 'nadie', 'nada', 'ningun', 'ninguna', 'ninguno'],
  negationFillers: ['estaba', 'estaban', 'esta', 'estan', 'era', 'eran', 'es', 'son', 'se', 'sentia', 'sentian', 'siento', 'tenia', 'tenian', 'tiene', 'tuvo', 'muy', 'tan', 'nada', 'ningun', 'mas', 'un', 'una', 'el', 'la', 'lo', 'de', 'en', 'absoluto', 'le', 'les', 'me', 'te'],
  intensifiers: [
    'muy', 'tan', 'tanto', 'tanta', 'tantos', 'tantas', 'demasiado', 'demasiada', 'sumamente', 'terriblemente', 'realmente',
    'increiblemente', 'extremadamente', 'profundamente', 'enormemente', 'completamente', 'totalmente', 'mucho', 'mucha',
    'tremendamente', 'horriblemente', 'locamente',
  ],
  downtoners: ['poco', 'algo', 'ligeramente', 'levemente', 'apenas'],
  phrases: [],
  prefixedPhrases: [['de', 'repente', 'surprise', 1], ['de', 'pronto', 'surprise', 1]],
  inflect: (base: string) => [base],
};
