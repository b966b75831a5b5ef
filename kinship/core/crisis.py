"""Spotting crisis language (self-harm, suicidal thoughts) in member text, in English and Spanish.

A pure function over a phrase lexicon, so any service can answer in the same response: the
writer sees helplines at once and the circle's facilitators are alerted; nothing is ever
blocked. It is a lexicon, not understanding: it misses what it has no phrase for and can fire on
a phrase used lightly. Recall matters more than precision here, so when in doubt a phrase is in.
See docs/crisis-detection.md for how it was measured.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

# Every member text in Kinship is at most 20,000 characters (discussions.BODY_MAX), so looking
# at no more than that covers all of them and bounds the work for anything larger.
SCAN_LIMIT = 20_000

Language = Literal["en", "es"]


@dataclass(frozen=True)
class CrisisSignal:
    """Why a text suggests a crisis: the lexicon's language and the phrases found (normalised)."""

    language: Language
    phrases: tuple[str, ...]


# --- Normalising -------------------------------------------------------------------------------

# Diacritics go after NFKD, so "despértar", "despertar" and "DESPERTAR" read the same; "ñ" reads "n".
_MARKS = re.compile(r"[\u0300-\u036f]")
# Zero-width characters could hide a word from the lexicon ("k\u200bill myself").
_INVISIBLE = re.compile(r"[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# Apostrophes vanish, straight or curly, so "don't" and "dont" are one word.
_APOSTROPHES = re.compile(r"['\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032]")
# Words, and the punctuation that ends a clause (negation never reaches across it).
_TOKEN = re.compile(r"[^\W_]+|[.!?;:,\u00a1\u00bf\u2026\n]")


def normalise(text: str) -> str:
    """Text as the lexicon reads it: casefolded words without accents, one space apart, padded.

    Clause punctuation and line breaks become "." tokens; everything else that is not a letter
    or digit (emoji, hyphens, NUL and other control characters) only separates words.
    """
    text = unicodedata.normalize("NFKD", text[:SCAN_LIMIT].casefold())
    text = _APOSTROPHES.sub("", _INVISIBLE.sub("", _MARKS.sub("", text)))
    tokens = [token if token[0].isalnum() else "." for token in _TOKEN.findall(text)]
    return " " + " ".join(tokens) + " "


# --- The lexicon -------------------------------------------------------------------------------
# Patterns are written over normalised text: lower case, no accents, no apostrophes, one space
# between words. Each is matched whole words only. Gaps are bounded ({0,2}) and nothing nests an
# unbounded repeat, so no input can make a pattern backtrack badly.


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    # A weak phrase ("I can't do this anymore") alone is everyday frustration; two together count.
    weak: bool
    # A self-injury verb ("I hurt myself", "burned myself") is cancelled by an accident nearby.
    accidental: bool


def _entries(*patterns: str, weak: bool = False, accidental: bool = False) -> list[_Entry]:
    # A leading space rather than a look-behind: the regex engine then skips ahead to spaces.
    return [_Entry(re.compile(rf" (?:{p})(?= )"), weak, accidental) for p in patterns]


_ME = r"(?:myself|my self|meself|myslef|mysef)"
_WANT_TO = r"(?:want to|wanna|wan to|want 2|wanted to|wanting to|wants to)"
_PILLS = (
    r"(?:pills|tablets|meds|medication|medications|medicine|painkillers|morphine|oxy|oxys|oxycodone|"
    r"oxycontin|tramadol|opioids|codeine|fentanyl|paracetamol|sleeping pills|pain meds|pain pills)"
)
_GONE = (
    r"(?:was gone|were gone|wasnt here|werent here|wasnt around|werent around|died|disappeared|didnt exist|"
    r"was dead|were dead|was not here|were not here)"
)

_ENGLISH: list[_Entry] = [
    # Killing oneself, suicide.
    *_entries(
        rf"(?:kill|kil|killing|kiling|killed) {_ME}",
        r"kms",
        r"(?:wants?|wanted|going|gonna|trying|tried|threaten\w*|talk\w* about|thinking about|planning|plans?) "
        r"to (?:kill|kil) (?:himself|herself|themselves|themself)",
        r"(?:end|ending|ended) my (?:own )?life",
        r"(?:wants?|wanted|going|gonna|trying|tried|thinking about|talk\w* about) to end (?:his|her|"
        r"their) (?:own )?life",
        r"(?:take|taking|took) (?:my|his|her|their) own life",
        r"(?:take|taking) my life",
        r"(?:end|ending) (?:it|things|everything) (?:all|for good|once and for all|forever)",
        r"(?:just|should|gonna|to|wanna|could|going to|might) end (?:it|things|everything)(?! (?:with|between|early|"
        r"there) )",
        r"ending (?:it|things)(?! (?:with|between|early|there) )",
        r"suicidal",
        r"suicide (?:note|letter|plan|plans|attempt|attempts|pact)",
        r"(?:commit|committing|committed|attempt|attempted|attempting|contemplat\w+|consider\w*) suicide",
        r"(?:think|thinks|thinking|thought|thoughts) (?:about|of|abt) suicide",
        r"(?:thoughts|thinking|thought|thinks) (?:of|about|abt) (?:ending|killing|hurting|harming) (?:it|myself|my|"
        r"things)",
    ),
    # Wanting to die, be dead, not wake up, not exist.
    *_entries(
        rf"{_WANT_TO} die",
        r"wanna die",
        rf"{_WANT_TO} be dead",
        r"(?:rather|better off|might as well|ready to|deserve to|prefer to) (?:be )?(?:dead|die)",
        r"rather die",
        r"(?:feel|feeling|felt) like dying",
        r"(?:sleep|rest) (?:forever|for ever|permanently)",
        r"wish (?:\w+ ){1,3}(?:had |would have |would |could have )?(?:just )?(?:taken|killed|kill|finished) me",
        r"should (?:have|of) died",
        r"(?:dont|do not|didnt) (?:want|wanna) (?:to do |to live )?(?:this|my|this stupid|this whole) life",
        r"(?:want|wanna|need) out(?! (?:of|from|now|for) )",
        r"(?:imagining|imagine|planning|plan|picturing|picture|thinking about) my (?:own )?funeral",
        r"wish (?:that )?i (?:was|were|had|could|would|could just|had just|would just|d)(?: just)? (?:be )?(?:dead|"
        r"die|died|been dead)",
        r"wish i (?:was|were) dead",
        r"wish (?:i had|id) never (?:been born|existed|woken up)",
        r"(?:dont|do not|didnt|did not|no longer|dont really|dont even) (?:want to|wanna|wish to) "
        r"(?:live|be alive|exist|keep living|go on living|be here anymore|be here any more|wake up|be around anymore)",
        r"(?:dont|do not) think i (?:want to|wanna) (?:live|be alive|go on)",
        r"(?:not|never|didnt|wouldnt|dont|do not|did not|would not|to not) wake up"
        r"(?! (?:in|on|at|until|till|til|before|for|early|late|when|with|once|during|properly|feeling|from|after|to|"
        r"because) )",
        r"(?:sleep|go to sleep|fall asleep) and (?:never|not) wake(?: up)?",
        r"never wake up again",
        r"(?:stop|stopped) existing",
        r"cease to exist",
        r"(?:want|wanna|wish|wanted) (?:to not|not to) (?:exist|be alive|be here|live)",
        r"give up on (?:life|living|everything)",
        r"(?:no|any) reason to (?:live|keep living|go on|stay alive|be here|keep going|stay)",
        r"nothing (?:left )?to live for",
        r"(?:not|isnt|is not|aint|wasnt) worth (?:living|being alive|it anymore)",
        r"(?:tired|sick|done) (?:of|with) (?:living|life|being alive|existing)",
        r"(?:point|purpose) (?:of|in) (?:living|life|going on|being alive|carrying on|staying alive|being here)",
        r"no point (?:in )?(?:living|going on|carrying on|being alive|being here|trying anymore)",
        r"(?:cant|can not|cannot|dont think i can|unable to) (?:go on|carry on|keep going|keep living)"
        r"(?! (?:the|a|an|with|about|at|to|for|my|our|holiday|vacation|trip|tour|walks?|rides?|in|after|without) )",
        r"(?:way out|option|options|choice|solution)s? (?:except|but|other than|apart from|than|besides) "
        r"(?:dying|death|to die|suicide|ending it|killing myself)",
        r"(?:want|wants|wanted|need) (?:it|everything|this) (?:all )?to end",
        r"(?:it|everything|this) (?:all )?to be over (?:for good|forever|for ever)",
        r"make (?:it|this|everything|the pain) (?:all )?stop (?:for good|forever|for ever|permanently)",
    ),
    # Being a burden, others better off without me, disappearing.
    *_entries(
        r"(?:im|i am|being|feel like|feeling like|feel|just|such|nothing but) (?:such |just |only |like |"
        r"nothing but )?an? burden",
        r"such a burden",
        r"burden (?:to|on|for) (?:everyone|everybody|my family|them|all|you all|my (?:mum|mom|dad|parents|wife|"
        r"husband|partner|kids|children|family|carers?|friends))",
        r"(?:better|happier|easier|fine|ok|okay|alright)(?: off)? without me",
        rf"(?:better|happier|easier)(?: off)? if i (?:just )?{_GONE}",
        rf"(?:everyone|everybody|they|them|he|she) (?:would|will|d) be (?:better|happier|fine|"
        rf"ok)(?: off)? if i (?:just )?{_GONE}",
        r"if i (?:was|were) (?:gone|dead|not here|not around)(?! for )",
        r"if i (?:wasnt|werent|was not|were not) (?:around|here|alive)(?: anymore| any more)?(?! (?:to|at|in|for|"
        r"with) )",
        rf"(?:better|happier|easier|relieved)(?: off)? for (?:everyone|everybody|them|all|"
        rf"my family) if i (?:just )?{_GONE}",
        r"(?:everyone|everybody|they|my family|the world) (?:would|will|d) be better off(?! with )",
        r"waste of (?:space|oxygen|air)",
        r"(?:not|never) (?:be|being) (?:here|around|alive) (?:anymore|any more|much longer|for long)",
        r"(?:just|to) not be (?:here|around|alive)(?! (?:for|at|in|when|on|to|with|tomorrow|today|tonight) )",
        r"(?:cant|dont|do not|can not|cannot) see myself (?:being here|being alive|being around|making it|alive|"
        r"still here)",
        r"(?:nobody|no one|noone|no body)(?: would| will| is going to| gonna| d)?(?: even| really)? "
        r"(?:miss me|notice if i|care if i|notice im gone|notice i was gone|care if im gone|notice if im)",
        r"disappear(?:ed|ing)? (?:forever|for good|for ever|and never come back|and not come back|permanently|"
        r"off the face of the earth)",
    ),
    # Self-harm. Verbs a fall or the oven can explain are checked for an accident nearby.
    *_entries(
        rf"(?:hurt|hurting|harm|harming|cut|cutting|cuting|stab|stabbing|burn|burning|burned|burnt|"
        rf"hang|hanging|hanged|shoot|shooting|drown|drowning|starve|starving|poison|poisoning|punish|"
        rf"punishing|punch|punching|hit|hitting|scratch|scratching|bruise|bruising) {_ME}",
        r"(?:slit|slitting|slash|slashing|cut|cutting) (?:my |his |her )?(?:wrists?|veins?|arms|thighs)",
        r"(?:till|until|til) (?:they|it|i|my \w+) (?:bleed|bleeds|bled|bruise|bruises|bruised)",
        accidental=True,
    ),
    *_entries(
        r"self ?harm(?:ing|ed|s)?(?! (?:awareness|prevention|training|talk|talks|leaflet|leaflets|resources?|"
        r"services?|charity|charities|week|day|support) )",
        r"self ?injur(?:y|ing|ed|e)(?! (?:awareness|prevention|training|talk|leaflet|resources?|services?) )",
        r"cutting again",
        r"(?:started|start|keep|kept|been|back to|relapsed|relapse|began) cutting(?! (?:back|down|out|my hair|hair|"
        r"the|it|off) )",
        r"(?:might|could|would|will|gonna|going to|ll|afraid|scared) (?:i )?(?:might |will |"
        r"ll )?do (?:something )?(?:stupid |bad )?to myself",
        r"(?:might|could|will|gonna|going to|ll|afraid|scared) (?:i )?(?:might |will |ll )?do something stupid",
    ),
    # Plans and means.
    *_entries(
        r"overdos(?:e|ing|ed) on",
        r"overdosing",
        r"overdosed",
        r"(?:take|taking|took|have|had) an? (?:overdose|od)",
        r"(?:want to|wanna|going to|gonna|plan to|planning to|thinking about|think about|thought about) (?:overdose|"
        r"overdosing|od|oding)",
        r"how many (?:\w+ )?(?:it (?:would|will|d) take|would it take|does it take|to (?:die|kill|overdose|od|end it))",
        r"(?:ways|way|how|methods?) to (?:die|kill myself|end it|end my life|overdose|od|commit suicide)",
        r"painless (?:way|ways|death)",
        r"(?:hang|hanging|hanged) (?:yourself|himself|herself|themselves|themself)",
        r"(?:how|ways|way) to (?:kill|hang|hurt|cut|harm) yourself",
        r"nooses?",
        r"(?:lethal|fatal|deadly) (?:dose|doses|amount|amounts)",
        r"(?:drive|driving|drove|crash|crashing|steer|steering) (?:my car |the car )?into (?:a |the )?(?:tree|wall|"
        r"lorry|truck|river|oncoming)",
        r"(?:jump|jumping|jumped|throw myself|throwing myself|leap|leaping) (?:off|from) (?:a |the |my |our |this |"
        r"that )?(?:\w+ )?"
        r"(?:bridge|roof|rooftop|building|balcony|cliff|tower|car park|multi storey|overpass)",
        r"(?:jump|jumping|jumped|throw myself|throwing myself|step|stepping|walk|walking) (?:in front of|"
        r"under) (?:a |the )?(?:train|bus|car|lorry|truck|traffic|tram)",
        r"(?:jump|jumping|throw myself|throwing myself) out (?:of )?(?:a |the |my )?window",
        rf"(?:stash|stockpile|hoard|collection)\w* of (?:my |all my |the )?(?:\w+ )?{_PILLS}",
        rf"(?:saving|saved|stockpiling|stockpiled|hoarding|hoarded|stashing|stashed|hiding)(?: up)? (?:my |all my |"
        rf"the |some |enough )?(?:\w+ )?{_PILLS}",
        rf"{_PILLS} (?:saved|stashed|stockpiled|hidden)",
        rf"enough (?:\w+ )?{_PILLS} to (?:die|kill|end|not wake|overdose|od)",
        r"(?:swallow|swallowing|swallowed) (?:all|the whole|every)",
        r"(?:take|taking|took) (?:them|these|those|it) all (?:at once|together|in one go|tonight)",
        rf"(?:take|taking|took) (?:all|every one) (?:of )?(?:my |the )?(?:\w+ )?{_PILLS} (?:at once|together|"
        rf"in one go|tonight)",
        r"(?:take|taking|took|swallow\w*) (?:a |the )?whole (?:bottle|box|pack|packet|strip)",
        r"(?:planning|planned|plan|worked out|figured out|thinking about|decided) (?:how|when|where) "
        r"(?:id|i would|i will|ill|i could|im going to|i am going to|to) (?:do it|end it|kill myself|"
        r"go through with it)",
        r"(?:have|got|made|making) a plan to (?:die|kill|end)",
        r"(?:goodbye|good bye|farewell|suicide) (?:letter|letters|note|notes|message|messages|video)",
        r"(?:said|saying|say) my goodbyes",
        r"(?:giving|given|give|gave) away (?:all )?my (?:things|stuff|belongings|possessions)",
    ),
    # Weak: everyday frustration alone; two of them together are counted.
    *_entries(
        r"(?:cant|can not|cannot) (?:do|take|handle|cope with|bear) (?:this|it) (?:anymore|any more|any longer)",
        r"(?:whats|what is) the point(?: anymore| of anything| of it all| of trying)?",
        r"im done(?! with )",
        r"i give up(?! on (?:the|physio|my|trying to) )",
        r"hopeless",
        r"no way out",
        r"nothing matters",
        r"(?:want|wants|wanted) (?:it|this|everything) (?:all )?to be over",
        r"(?:so )?tired of everything",
        r"i hate my life",
        r"(?:cant|cannot) cope(?: anymore)?",
        weak=True,
    ),
]

_QUIERO = r"(?:quiero|kiero|qiero|quisiera|quiere|quieres|quieren|queria)"
_PASTILLAS = r"(?:pastillas|pastis|pildoras|medicinas|medicamentos|calmantes|comprimidos|morfina|opioides|tramadol)"
_NOT_OBJECT = r"(?! (?:el|la|los|las|lo|esto|eso|este|esta|mi|tu) )"

_SPANISH: list[_Entry] = [
    # Querer morir, estar muerto, no despertar.
    *_entries(
        rf"(?:me |se |te )?{_QUIERO} morir(?:me|se|te)?",
        r"ganas de morir(?:me|se)?",
        rf"(?:prefiero|preferiria|quisiera|{_QUIERO}|mejor) (?:estar )?muert[oa]s?",
        r"ojala (?:me )?(?:muriera|muera|muriese|hubiera muerto|hubiese muerto|estuviera muert[oa]|no despert\w*|"
        r"no existiera|no hubiera nacido|desapareciera)",
        r"(?:deseo|desearia|deseaba) (?:morir(?:me)?|estar muert[oa]|no despertar(?:me)?)",
        rf"no {_QUIERO} (?:vivir|seguir viviendo|seguir viv[oa]|seguir aqui|estar viv[oa]|existir|despertar(?:me)?)",
        rf"ya no {_QUIERO} estar aqui",
        rf"no {_QUIERO} estar aqui (?:nunca )?mas",
        r"(?:no tengo|sin) ganas de (?:vivir|seguir viviendo|despertar(?:me)?)",
        r"(?:cansad[oa]s?|hart[oa]s?) de (?:vivir|la vida|estar viv[oa]|existir|seguir viv[oa])",
        r"no (?:le )?(?:veo|encuentro) (?:sentido|razon|motivo|salida) (?:a|para|en) (?:la vida|mi vida|vivir|seguir)",
        r"(?:no tengo|sin) (?:razones|motivos|razon|motivo) para (?:vivir|seguir)",
        r"no (?:tengo|hay) (?:nada|nadie) por (?:lo que|quien) vivir",
        r"(?:la vida|mi vida|vivir) (?:ya )?no (?:tiene sentido|vale la pena)",
        r"no vale la pena (?:vivir|seguir(?: viviendo| viv[oa]| aqui)?|estar viv[oa])",
        r"para (?:que|q) (?:seguir|sigo) (?:viviendo|viv[oa]|aqui|luchando)",
        r"no aguanto (?:mas )?(?:la vida|vivir|esta vida|seguir viv[oa]|estar viv[oa])",
        r"no puedo (?:mas|seguir) con (?:la vida|esta vida|mi vida)",
        r"(?:dormir(?:me)?|acostarme) y no (?:volver a )?despertar(?:me)?",
        r"no volver a despertar(?:me)?",
        r"no despertar(?:me)? (?:nunca|jamas|mas)",
        r"(?:para|y) no (?:volver a )?despertar(?:me)?(?! (?:a|al|la|los|las|el|temprano|antes|por|de) )",
        r"no estar aqui (?:nunca mas|para siempre)",
        r"(?:dejar de sufrir|descansar|dormir|dormirme) para siempre",
        r"dejar de (?:existir|vivir|estar aqui)",
        r"(?:irme|ir|marcharme|marchar|dejar|abandonar) (?:de )?este mundo",
        r"desaparecer (?:para siempre|del mapa|del mundo|de este mundo|y no volver|y que nadie|sin dejar rastro)",
        r"pensamientos de (?:muerte|morir(?:me)?|matarme|quitarme la vida|hacerme dano|suicidio)",
        r"(?:otra|ninguna|mas) salida (?:que|mas que|excepto|sino|aparte de) (?:morir(?:me)?|la muerte|matarme|"
        r"suicidarme|quitarme)",
    ),
    # Suicidio, matarse, quitarse la vida, acabar con todo.
    *_entries(
        r"suicidar(?:me|se|te)?",
        r"me suicid\w*",
        r"(?:pensamientos|pensamiento|ideas|idea|ideacion|tendencias|impulsos) suicidas?",
        r"(?:me siento|estoy|soy|sentirme|siento) suicida",
        r"intento de suicidio",
        r"(?:pienso|pensando|pensado|pense|pensar) en (?:el )?suicidio",
        r"nota (?:de )?suicid\w*",
        r"matarme",
        r"ahorc(?:arme|arse|arte|ar)",
        r"(?:colgarme|me voy a colgar|me quiero colgar) (?:de|del)",
        r"(?:pegarme|me voy a pegar|me quiero pegar) un tiro",
        r"(?:envenenarme|arrojarme)",
        r"quitar(?:me|se) de en medio",
        r"matarse",
        r"(?:me|se) (?:quiero|kiero|quiere|voy a|va a|vaya a) matar",
        r"quitar(?:me|se) la vida",
        r"me (?:quito|quitaria|quitare|voy a quitar|quiero quitar|kiero quitar) la vida",
        r"se (?:quiere|va a|queria|piensa) quitar la vida",
        rf"(?:acabar|terminar) con (?:mi vida|su vida|todo{_NOT_OBJECT}|esto de una vez)",
        r"que todo (?:se )?(?:acabe|termine)",
        r"que se (?:acabe|termine) todo",
        r"cartas? de despedida",
        r"acabar con esto",
        r"(?:pienso|pensando|pensar|pense) en (?:morir(?:me)?|matarme|quitarme)",
        r"me (?:hubiera|hubiese|habria) (?:matado|llevado)",
        r"(?:deberia|debi|debia) (?:haber|haberme) muerto",
        r"cuant[oa]s (?:\w+ ){0,3}(?:para morir|para matarme|hacen falta para)",
        r"(?:formas|maneras|forma|manera) de morir",
        r"(?:tengo|hice|tengo hecho) un plan para (?:morir|acabar|quitarme)",
    ),
    # Ser una carga, mejor sin mí.
    *_entries(
        r"(?:soy|ser|sea|siendo) (?:una carga|un estorbo|un lastre)",
        r"(?:estarian|estaria|vivirian|viviria|seria|serian|estan|estaran) (?:\w+ )?(?:mejor|bien|tranquil[oa]s?|"
        r"felices) "
        r"(?:para todos )?sin mi(?! \w)",
        r"mejor para (?:todos|ellos|ellas|mi familia) si (?:yo )?(?:me muriera|muriera|no estuviera|desapareciera|"
        r"no existiera|me fuera para siempre)",
        r"si yo no estuviera",
        r"si (?:yo )?no existiera",
        r"(?:mas tranquil[oa]s?|mejor|felices|aliviad[oa]s?) si (?:yo )?(?:no estuviera|no existiera|me muriera|"
        r"desapareciera)",
        r"nadie me (?:echaria|extranaria|echara|extranara)",
        r"a nadie le importaria si (?:me muero|me muriera|desapareciera|no estuviera)",
        r"(?:lo )?mejor seria no (?:estar|existir|seguir|despertar)",
        r"seria mejor no (?:estar|existir|seguir viv[oa]|despertar)",
    ),
    # Autolesión.
    *_entries(
        r"hacer(?:me|se) dano",
        r"me (?:quiero|kiero|voy a) hacer dano",
        r"dano a proposito",
        r"(?:me hago|me hice|me he hecho|se hace|se hizo) dano (?:a proposito|adrede|aposta|queriendo|para)",
        r"auto ?lesion\w*",
        r"lesionarme",
        r"cortarme(?! (?:el pelo|las unas|el flequillo|la barba|el cabello|las puntas|el pelo) )",
        r"me cort(?:o|e|aba) (?:los brazos|las piernas|las munecas|la muneca|las venas|otra vez|de nuevo|"
        r"a proposito|para (?:sentir|no|olvidar|castigarme))",
        r"(?:haciendo|hacerme|hacerse|me hago|se hace|me hace|se hacia|me hacia)(?:se|me)? cortes",
        r"(?:quemarme|golpearme|pegarme) a proposito",
        r"me (?:golpeo|pego) (?:la cabeza )?contra (?:la |las )?pared(?:es)?",
    ),
    *_entries(
        r"dano (?:en|a) (?:los brazos|las piernas|las munecas|si mism[oa])",
        accidental=True,
    ),
    # Medios y planes.
    *_entries(
        r"(?:tirarme|me tiro|me tiraria|lanzarme|me lanzo|saltar|me voy a tirar|tirarse|se quiere tirar) "
        r"(?:de|del|desde|por|al|a|bajo|debajo de)(?: el| la| un| una| las| los)? "
        r"(?:balcon|ventana|puente|azotea|edificio|terraza|tren|metro|vias|coche|autobus|camion|acantilado|tejado|"
        r"precipicio)",
        rf"(?:tomar(?:me)?|tragar(?:me)?|me tomo|me tome|me trago) (?:todas|todos) (?:las|los|mis) {_PASTILLAS}",
        r"(?:tomar(?:me)?|tragar(?:me)?|me tomo|me tome|me trago) el bote",
        r"(?:tomar(?:me)?|hacerme|provocarme|me tomo|me tome|pensando en) (?:una )?sobredosis",
        rf"guardad[oa]s? (?:las |mis |unas )?{_PASTILLAS}",
        rf"guardando (?:las |mis |unas )?{_PASTILLAS}",
        rf"{_PASTILLAS} (?:guardadas|escondidas)",
    ),
    # Débiles: sola, una es frustración de cada día; dos juntas cuentan.
    *_entries(
        r"(?:ya )?no aguanto mas",
        r"no puedo mas",
        r"no puedo seguir(?: asi)?",
        r"(?:no tiene|sin) sentido",
        r"me rindo",
        r"sin esperanza",
        r"sin salida",
        r"(?:cansad[oa]|hart[oa]) de todo",
        r"odio mi vida",
        r"no le importo a nadie",
        weak=True,
    ),
]

_LEXICONS: tuple[tuple[Language, list[_Entry]], ...] = (("en", _ENGLISH), ("es", _SPANISH))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Negation ----------------------------------------------------------------------------------
# A negator shortly before a phrase cancels it: "I'm not suicidal", "I would never hurt myself",
# "no tengo pensamientos suicidas". Only these filler words may stand between the two, so "I'm
# not ok, I want to die" and "no aguanto más me quiero morir" keep their phrase. Phrases that
# carry their own negation ("I don't want to live", "no quiero vivir") are matched whole, so the
# negation inside them is never read as cancelling them.
_NEGATORS = {
    "en": _words("not never no dont didnt doesnt wont wouldnt isnt arent wasnt werent havent hasnt hadnt nor neither"),
    "es": _words("no nunca jamas tampoco ni"),
}
_FILLERS = {
    "en": _words(
        "i im ive id ill me my you we would will could should do did does am is are was were be been "
        "being have had has having ever really even actually honestly seriously definitely truly "
        "currently feeling feel felt going gonna to want wanna wanting think thinking thought about of "
        "anymore so that at all any planning plan intend intending try trying promise wanted"
    ),
    "es": _words(
        "yo me te lo la le les he has ha hemos habia haria hare voy vas va a en de pensado pensar pienso "
        "tengo tenido tener estoy estado quiero quisiera querido quise quiera realmente verdad para nada "
        "ya siento soy sea seria podria hacer estar"
    ),
}
_NEGATION_REACH = 4

# --- Accidents ---------------------------------------------------------------------------------
_ACCIDENT_WORDS = _words(
    "accident accidentally mistake fell fall falling slipped slip tripped trip shaving oven stove kettle "
    "iron cooking crutch crutches stairs door shower bath caer caerme cai caida resbale tropece accidente "
    "querer cocinando pelar ducha escalera escaleras muleta muletas"
)
_ACCIDENT_REACH = 8


def _tokens_before(text: str, start: int, count: int) -> list[str]:
    window = text[max(0, start - 20 * count) : start].split()
    if start - 20 * count > 0:
        window = window[1:]  # the first word may be cut in half
    return window[-count:]


def _tokens_after(text: str, end: int, count: int) -> list[str]:
    window = text[end : end + 20 * count].split()
    if end + 20 * count < len(text):
        window = window[:-1]  # the last word may be cut in half
    return window[:count]


def _negated(text: str, start: int, language: Language) -> bool:
    for token in reversed(_tokens_before(text, start, _NEGATION_REACH)):
        if token in _NEGATORS[language]:
            return True
        if token not in _FILLERS[language]:
            return False
    return False


def _clause(tokens: list[str]) -> list[str]:
    return tokens[: tokens.index(".")] if "." in tokens else tokens


def _accidental(text: str, start: int, end: int) -> bool:
    before = list(reversed(_tokens_before(text, start, _ACCIDENT_REACH)))
    after = _tokens_after(text, end, _ACCIDENT_REACH)
    return any(token in _ACCIDENT_WORDS for token in _clause(before) + _clause(after))


def _matches(
    text: str, entries: list[_Entry], language: Language
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    strong: list[tuple[int, str]] = []
    weak: list[tuple[int, str]] = []
    for entry in entries:
        for match in entry.pattern.finditer(text):
            start = match.start() + 1
            if _negated(text, start, language):
                continue
            if entry.accidental and _accidental(text, start, match.end()):
                continue
            (weak if entry.weak else strong).append((start, match.group()[1:]))
    return strong, weak


def detect(text: Any) -> CrisisSignal | None:
    """The crisis phrases in this text, or None; never raises (anything not a string is None)."""
    if not isinstance(text, str) or not text:
        return None
    normalised = normalise(text)
    found: list[tuple[int, int, Language, tuple[str, ...]]] = []
    for language, entries in _LEXICONS:
        strong, weak = _matches(normalised, entries, language)
        # One weak phrase is everyday frustration; two different ones suggest more.
        if len({phrase for _, phrase in weak}) >= 2:
            strong += weak
        if strong:
            ordered = sorted(strong)
            phrases = tuple(dict.fromkeys(phrase for _, phrase in ordered))
            found.append((len(strong), -ordered[0][0], language, phrases))
    if not found:
        return None
    # Both lexicons can match a mixed text; the one with more phrases (then the earlier) names it.
    _, _, language, phrases = max(found)
    return CrisisSignal(language=language, phrases=phrases)


def suggests_crisis(text: Any) -> bool:
    """Whether the text suggests a crisis: helplines shown, facilitators alerted, never blocked."""
    return detect(text) is not None
