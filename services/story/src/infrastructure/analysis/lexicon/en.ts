import type { LexiconSpec } from './types.js';

/**
 * English emotion words, chosen for this project by hand for narrated stories (fairy tales,
 * fables, family stories). Deliberately small and conservative: a word is listed only when it
 * names or strongly signals the emotion in ordinary narration. Ambiguous words are left out
 * ("mad", "cross", "kind", "mean", "like", "care") or given mild weight ("cry": often just
 * "said loudly" in older prose).
 */

const VOWELS = 'aeiou';

/** Regular English inflections of a base word (over-generation is harmless: unseen forms never match). */
export function inflectEnglish(base: string): string[] {
  const forms = new Set<string>([base]);
  const last = base[base.length - 1] ?? '';
  const beforeLast = base[base.length - 2] ?? '';
  if (base.includes(' ') || base.includes('-')) return [...forms];
  if (last === 'e') {
    const stem = base.slice(0, -1);
    for (const f of [`${base}s`, `${base}d`, `${stem}ing`, `${base}ly`, `${base}r`, `${base}st`]) forms.add(f);
  } else if (last === 'y' && !VOWELS.includes(beforeLast)) {
    const stem = base.slice(0, -1);
    for (const f of [`${stem}ies`, `${stem}ied`, `${stem}ier`, `${stem}iest`, `${stem}ily`, `${stem}iness`, `${base}ing`]) forms.add(f);
  } else {
    for (const f of [`${base}s`, `${base}es`, `${base}ed`, `${base}ing`, `${base}ly`, `${base}er`, `${base}est`]) forms.add(f);
    // Short consonant-vowel-consonant words double the consonant: sob → sobbed, hug → hugging.
    const third = base[base.length - 3] ?? '';
    if (base.length <= 4 && !VOWELS.includes(last) && !'wxy'.includes(last) && VOWELS.includes(beforeLast) && !VOWELS.includes(third)) {
      for (const f of [`${base}${last}ed`, `${base}${last}ing`, `${base}${last}er`]) forms.add(f);
    }
  }
  if (base.endsWith('ic')) forms.add(`${base}ally`);
  if (base.endsWith('le')) forms.add(`${base.slice(0, -1)}y`); // terrible → terribly
  return [...forms];
}

export const english: LexiconSpec = {
  language: 'en',
  emotions: {
    joy: {
      strong: ['ecstatic', 'overjoyed', 'elated', 'jubilant', 'rapture', 'rapturous', 'bliss', 'blissful', 'euphoric', 'exultant', 'exult'],
      moderate: [
        'happy', 'happiness', 'joy', 'joyful', 'joyous', 'glad', 'gladness', 'delight', 'delighted', 'delightful', 'merry',
        'merriment', 'cheerful', 'pleased', 'pleasure', 'rejoice', 'laugh', 'laughter', 'smile', 'grin', 'gleeful', 'glee',
        'jolly', 'cheer', 'contented', 'triumphant', 'joyfully', 'gladly', 'merrily', 'cheerfully',
      ],
      mild: ['pleasant', 'lovely', 'wonderful', 'enjoy', 'fun', 'amused', 'amusing', 'playful', 'satisfied', 'relieved', 'relief', 'hopeful', 'grateful', 'thankful', 'giggle', 'chuckle'],
    },
    sadness: {
      strong: ['heartbroken', 'devastated', 'despair', 'grief', 'grieve', 'anguish', 'misery', 'miserable', 'inconsolable', 'desolate', 'mourn', 'mourning', 'heartbreak'],
      moderate: [
        'sad', 'sadness', 'sorrow', 'sorrowful', 'unhappy', 'weep', '=wept', 'tears', 'tearful', 'sob', 'mournful', 'lonely',
        'loneliness', 'gloomy', 'gloom', 'melancholy', 'disappointed', 'disappointment', 'regret', 'forlorn', 'dejected',
        'downcast', 'hopeless', 'woeful', '=woe', 'wretched', 'grieved', 'sorrowfully', 'sadly',
      ],
      mild: ['cry', 'alone', 'sigh', 'pity', 'sorry', 'lament', 'homesick', '=dead', '=death', '=die', '=died', '=dying', 'gloomily', 'tear-stained'],
    },
    anger: {
      strong: ['furious', 'fury', 'rage', 'enraged', 'wrath', 'wrathful', 'livid', 'seething', 'outraged', 'infuriated', 'incensed', 'furiously'],
      moderate: ['angry', 'angrily', 'anger', 'hate', 'hatred', 'indignant', 'indignation', 'resent', 'resentful', 'resentment', 'scold', 'curse', 'vexed', 'hostile', 'snarl', 'temper', 'irate', 'infuriate', 'rant'],
      mild: ['annoyed', 'annoyance', 'irritated', 'irritation', 'bitter', 'shout', 'yell', 'roar', 'growl', 'glare', 'frown', 'grumble', 'quarrel', 'scowl', 'huff', 'vex', 'stormed', 'slam'],
    },
    fear: {
      strong: ['terrified', 'terror', 'horror', 'horrified', 'petrified', 'panic', 'panicked', 'dread', 'terrifying', 'horrifying', 'aghast'],
      moderate: [
        'afraid', 'fear', 'fearful', 'frightened', 'frighten', 'fright', 'scared', 'scare', 'alarm', 'alarmed', 'tremble',
        'shudder', 'scream', 'shriek', 'anxious', 'anxiety', 'nervous', 'danger', 'dangerous', 'menace', 'threat', 'threaten',
        'flee', '=fled', 'uneasy', 'apprehensive', 'fearfully', 'trembling', 'frightful', 'dreadful',
      ],
      mild: ['worried', 'worry', 'timid', 'terrible', 'awful', 'horrible', 'creepy', 'eerie', 'ghost', 'monster', 'devour', 'gobble', 'shiver', 'quake', 'cower'],
    },
    surprise: {
      strong: ['astonished', 'astounded', 'stunned', 'flabbergasted', 'dumbfounded', 'thunderstruck', 'shocked', 'astonishing', 'astounding'],
      moderate: ['surprise', 'surprised', 'surprising', 'amazed', 'amazement', 'amazing', 'startled', 'astonishment', 'unexpected', 'unexpectedly', 'gasp', 'marvel', 'wonderment', 'shock'],
      mild: ['sudden', 'suddenly', 'strange', 'strangely', 'odd', 'behold', 'unbelievable', 'incredible', '=lo'],
    },
    disgust: {
      strong: ['disgusted', 'disgusting', 'revolting', 'repulsive', 'loathsome', 'nauseating', 'sickening', 'vile', 'abhorrent', 'repulsed'],
      moderate: ['disgust', 'nasty', 'filthy', 'foul', 'gross', 'repugnant', 'stench', 'stink', 'stinking', 'rotten', 'putrid', 'slimy', 'nauseous', 'revolted', 'loathe', 'revulsion'],
      mild: ['dirty', 'ugly', 'sour', 'smelly', 'yuck', 'ugh', 'grimy', 'mouldy', 'moldy', 'greasy'],
    },
    contempt: {
      strong: ['contempt', 'contemptuous', 'disdain', 'despise', 'scorn', 'scornful', 'disdainful'],
      moderate: ['sneer', 'mock', 'mockery', 'ridicule', 'jeer', 'scoff', 'smirk', 'condescending', 'arrogant', 'haughty', 'insult', 'belittle', 'spurn', 'derision', 'taunt'],
      mild: ['fool', 'foolish', 'liar', 'stupid', 'idiot', 'worthless', 'pathetic', 'pompous', 'snob', 'sniff'],
    },
    love: {
      strong: ['adore', 'adoration', 'beloved', 'cherish', 'devoted', 'devotion', 'passion', 'passionate', 'worship', 'adoring'],
      moderate: ['=love', '=loves', '=loved', 'loving', 'lovingly', 'affection', 'affectionate', 'darling', 'sweetheart', 'tenderly', 'kiss', 'embrace', 'hug', 'fond', 'fondly', 'caress', 'dearest', 'cuddle', 'tenderness'],
      mild: ['dear', 'dearly', 'gentle', 'gently', 'sweet', 'friendship', 'comfort'],
    },
    curiosity: {
      moderate: ['curious', 'curiosity', 'curiously', 'wonder', 'inquisitive', 'intrigued', 'fascinated', 'puzzle', 'puzzled', 'mystery', 'mysterious', 'explore', 'intriguing'],
      mild: ['peep', 'peek', 'peer', 'investigate', 'question', 'inquire', 'enquire', 'ponder', 'riddle'],
    },
    excitement: {
      strong: ['thrilled', 'exhilarated', 'exhilarating', 'overexcited'],
      moderate: ['excited', 'excitement', 'exciting', 'eager', 'eagerly', 'thrill', 'thrilling', 'hurrah', 'hooray', 'hurray', 'impatient', 'impatiently', 'enthusiastic', 'enthusiasm', 'adventure', 'excitedly'],
      mild: ['hurry', 'rush', 'dash', 'breathless', 'clap', 'bounce', 'whoop', 'yippee'],
    },
  },
  negators: ['not', "n't", 'no', 'never', 'nor', 'neither', 'without', 'hardly', 'scarcely', 'barely', 'nobody', 'none', 'nothing', 'cannot', 'lest'],
  negationFillers: ['at', 'all', 'the', 'least', 'bit', 'a', 'so', 'very', 'too', 'in', 'any', 'way', 'be', 'been', 'being', 'feel', 'felt', 'seem', 'seemed', 'look', 'looked', 'the', 'slightest', 'longer', 'more', 'much', 'even', 'to', 'of'],
  intensifiers: [
    'very', 'so', 'terribly', 'extremely', 'really', 'truly', 'deeply', 'utterly', 'awfully', 'dreadfully', 'incredibly',
    'most', 'too', 'exceedingly', 'immensely', 'bitterly', 'greatly', 'completely', 'totally', 'absolutely', 'frightfully',
    'thoroughly', 'such', 'highly', 'overwhelmingly', 'horribly', 'tremendously', 'desperately', 'wildly', 'madly', 'sorely', 'mightily',
  ],
  downtoners: ['slightly', 'somewhat', 'bit', 'mildly', 'fairly', 'rather', 'little', 'faintly', 'vaguely'],
  phrases: [
    ['cry', 'out', null, 0],
    ['laugh', 'at', 'contempt', 2],
    ['dear', 'me', 'surprise', 1],
    ['fear', 'not', null, 0],
    ['sweet', 'tooth', null, 0],
  ],
  prefixedPhrases: [
    ['oh', 'dear', 'surprise', 1],
    ['no', 'wonder', null, 0],
    ['hurry', 'up', null, 0],
  ],
  inflect: inflectEnglish,
};
