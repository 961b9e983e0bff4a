/**
 * Word lists the character finder uses, written for this project. Everything is lower case and
 * compared without diacritics.
 */
export interface CharacterWords {
  /**
   * Common nouns that name a character when a story keeps using them: "the wolf", "her
   * grandmother", "the huntsman". Singular forms only; plurals ("the villagers") are crowds.
   */
  characterNouns: ReadonlySet<string>;
  /** Nouns so generic that they need more mentions (3) to count: "the man", "a girl". */
  genericNouns: ReadonlySet<string>;
  /** Words before a name that are part of how it is said but not of who it is: "Mr.", "Lady", "Little". */
  titles: ReadonlySet<string>;
  /** Capitalised at the start of a sentence for grammar, not because they are names. */
  stopwords: ReadonlySet<string>;
  /** Articles/determiners that make a capitalised noun a character ("the Wolf", "el Lobo"). */
  articles: ReadonlySet<string>;
  /** Possessive determiners: "her grandmother" names someone through another character. */
  possessives: ReadonlySet<string>;
  /** First-person singular pronouns (narration in the first person). */
  firstPerson: ReadonlySet<string>;
  /** Words that mark a villain: "wicked", "evil", "villain". */
  villainWords: ReadonlySet<string>;
  /** Threatening actions: "devour", "swallow", "kill". */
  threatWords: ReadonlySet<string>;
  /** Adjectives never reported as traits (quantities, order, grammar words). */
  traitStopwords: ReadonlySet<string>;
  /** Without an adjective tagger (Spanish): adjectives accepted as traits when near a mention. */
  traitAdjectives: ReadonlySet<string>;
  /** Words connecting a name's parts: "Prince of Wales", "Juan de la Cruz". */
  nameConnectors: ReadonlySet<string>;
}

const set = (words: string): ReadonlySet<string> => new Set(words.trim().split(/\s+/));

export const englishCharacterWords: CharacterWords = {
  characterNouns: set(`
    wolf fox lion lioness mouse bear hare tortoise turtle crow raven frog toad cat dog puppy kitten goose gander duck
    duckling swan hen cock rooster chicken pig piglet goat kid lamb ant grasshopper donkey ass horse pony monkey ape eagle owl
    snake serpent dragon stork crane lark nightingale sparrow mole rat bull ox cow calf deer stag fawn squirrel rabbit bunny
    hedgehog badger beaver otter weasel camel elephant tiger leopard jackal hyena whale fish dolphin spider bee beetle
    unicorn phoenix griffin
    grandmother grandfather grandma grandpa granny grandpapa grandmamma mother father mom mum dad mama papa stepmother
    stepfather stepsister stepbrother sister brother daughter son aunt uncle cousin wife husband bride bridegroom widow
    king queen prince princess emperor empress duke duchess lord knight squire page courtier
    witch wizard sorcerer sorceress enchantress magician giant dwarf fairy elf goblin troll ogre ogress mermaid merman genie
    imp pixie gnome ghost spirit angel devil demon
    huntsman hunter woodcutter woodsman miller shepherd shepherdess farmer soldier tailor fisherman fisherwoman merchant
    maiden baker shoemaker cobbler blacksmith smith servant maid nurse cook knight sailor captain pirate robber thief beggar
    peasant innkeeper landlord carpenter weaver spinner gardener coachman doctor teacher priest monk nun hermit
    stranger traveller traveler wanderer villager shepherd-boy
  `),
  genericNouns: set('man woman girl boy child lady gentleman person lad lass baby youth'),
  titles: set(`
    mr mrs ms miss mx dr sir dame lady lord madam madame mme master mistress king queen prince princess emperor empress
    duke duchess count countess baron baroness captain capt uncle aunt auntie granny grandfather grandmother father mother
    brother sister saint st little old young
  `),
  stopwords: set(`
    the a an and but or nor so yet then when while once one there this that these those it its he she they we you i his
    her their my our your what where why how who whom whose which if as at in on by for from with to of after before now
    just all some no not yes oh ah alas well here still soon meanwhile suddenly presently however though although because
    since until unless whenever wherever indeed perhaps maybe also even only never always often sometimes every each many
    much more most such another other both either neither good come go let look see listen hark pray thank thanks please
    dear poor why whither whence thus hence therefore again next first last finally afterwards later instead otherwise
    besides nevertheless truly surely certainly do does did don't didn't can could will would shall should may might must
    is was are were be been have has had being upon into onto out up down over under through between among against
    without within along across behind beyond near far away back off about around above below beside besides
    goodbye good-bye good-day farewell hello hullo ha hey wow ho lo behold o yea nay amen chapter part book volume
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september
    october november december christmas easter god heaven
  `),
  articles: set('the a an this that'),
  possessives: set('her his my your their our its thy'),
  firstPerson: set("i me my mine myself i'm i've i'd i'll"),
  villainWords: set(`
    wicked evil villain villainous cruel wretch monster fiend sinner rogue scoundrel treacherous malicious vicious
    ferocious savage beast brute devil demon wickedness cruelty villainy crafty sly cunning deceitful liar thief robber
    murderer witch ogre tyrant
  `),
  threatWords: set(`
    eat ate eaten eats eating devour devoured devours devouring swallow swallowed swallows swallowing gobble gobbled
    kill killed kills killing slay slew slain attack attacked attacks bite bit bitten seize seized snatch snatched
    threaten threatened threatens kidnap kidnapped steal stole stolen trick tricked deceive deceived poison poisoned curse
    cursed capture captured chase chased snarl snarled growl growled claws teeth jaws prey pounce pounced lacerated
    destroy destroyed murder murdered strangle
  `),
  traitStopwords: set(`
    most all other same such own many few more much several last first next only whole certain little many own various
    else able unable sure ready due likely unlikely possible impossible enough less least further former latter main
    new red white black blue green yellow brown grey gray dark light right left real whole early late half full empty
  `),
  traitAdjectives: set(''),
  nameConnectors: set('of the de la del von van der le da di du'),
};

export const spanishCharacterWords: CharacterWords = {
  characterNouns: set(`
    lobo loba zorro zorra leon leona raton liebre tortuga cuervo rana sapo gato gata perro perra gallina gallo cerdo
    cerdito cabra cabrita cordero oveja hormiga cigarra burro asno caballo mono aguila buho serpiente dragon ciguena
    topo rata toro buey vaca ciervo ardilla conejo pato patito cisne oso osa elefante tigre pajaro
    abuela abuelo abuelita abuelito madre padre mama papa madrastra padrastro hermana hermano hermanastra hija hijo tia tio
    esposa esposo viuda
    rey reina principe princesa emperador emperatriz duque duquesa caballero
    bruja brujo hechicero hechicera mago gigante enano enanito hada duende ogro sirena fantasma diablo
    cazador lenador molinero pastor pastora pastorcillo campesino campesina soldado sastre pescador mercader doncella
    panadero zapatero herrero criado criada cocinero cocinera marinero capitan pirata ladron mendigo posadero carpintero
    jardinero cochero medico maestro maestra sacerdote monje ermitano forastero viajero
  `),
  genericNouns: set('hombre mujer nina nino muchacha muchacho chica chico senora senor anciana anciano joven bebe'),
  titles: set(`
    don dona senor senora senorita sr sra srta sres rey reina principe princesa capitan tio tia abuela abuelo fray sor
    san santa santo padre madre hermano hermana doctor dr pequeno pequena viejo vieja
  `),
  stopwords: set(`
    el la los las un una unos unas y e o u pero mas entonces cuando luego despues asi aquel aquella este esta ese esa
    esto eso habia era erase en de por para con sin que como donde quien cual mientras tambien al del se su sus lo le
    les mi tu nuestro nuestra si no oh ay ya hoy ayer manana aqui alli alla ahi pues porque aunque tras hasta desde
    sobre bajo cada todo toda todos todas nada nadie algo alguien otro otra otros otras muy tan mucho poco siempre nunca
    jamas vamos ven mira hola adios gracias bueno buena buenos buenas dios cielo capitulo parte lunes martes miercoles
    jueves viernes sabado domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    yo tu el ella nosotros vosotros ellos ellas usted ustedes me te nos os
  `),
  articles: set('el la un una este esta ese esa aquel aquella'),
  possessives: set('su sus mi mis tu tus nuestro nuestra nuestros nuestras vuestro vuestra'),
  firstPerson: set('yo me mi mis conmigo'),
  villainWords: set(`
    malvado malvada malo mala malvados cruel crueles villano villana perverso perversa feroz monstruo traidor traidora
    ladron ladrona diablo demonio bestia astuto astuta malicioso maliciosa tirano bruja brujo ogro mentiroso mentirosa
  `),
  threatWords: set(`
    comer comerse comio comerte comerme comerla comerlo devorar devoro devoraba devorarla devorarlo tragar trago tragarse
    se trago matar mato mataron atacar ataco morder mordio robar robo enganar engano envenenar envenenado amenazar amenazo
    amenazaba capturar capturo perseguir persiguio garras colmillos fauces
  `),
  traitStopwords: set('mismo misma otro otra todo toda cada mucho mucha poco poca primero primera ultimo ultima'),
  traitAdjectives: set(`
    valiente valientes malvado malvada bueno buena cruel hermoso hermosa bonito bonita pobre viejo vieja joven astuto astuta
    feroz hambriento hambrienta triste alegre amable bondadoso bondadosa perezoso perezosa sabio sabia tonto tonta listo
    lista pequeno pequena grande malo mala orgulloso orgullosa generoso generosa curioso curiosa travieso traviesa fiel leal
    honesto honesta mentiroso mentirosa valeroso valerosa cobarde egoista envidioso envidiosa celoso celosa dulce feo fea
    enfermo enferma rico rica humilde noble fuerte debil anciano anciana gordo gorda flaco flaca alto alta bajo baja
    inteligente trabajador trabajadora carinoso carinosa timido timida
  `),
  nameConnectors: set('de la del'),
};

export function characterWordsFor(language: string): CharacterWords {
  return language === 'es' ? spanishCharacterWords : englishCharacterWords;
}
