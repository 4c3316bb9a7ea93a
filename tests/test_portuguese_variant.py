"""A Brazilian learner reads one variant of Portuguese on every page.

The DL177 course package is written in Brazilian Portuguese; the interface around it (menus, forms, e-mails,
certificates, the demo tasks) used to mix in European forms — "ficheiro", "palavra-passe", "registo",
"está a ser preparado", «aspas» — so one page read in two variants (issue 19).
"""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from academy.certificates.services import SAMPLES
from academy.demo.task_translations import LEVELS, TASKS

CATALOGUE = Path(__file__).resolve().parent.parent / "translations" / "pt" / "LC_MESSAGES" / "messages.po"

#: European form -> what the Brazilian interface says instead (the value is the hint in a failure)
EUROPEAN_ONLY = {
    r"\bficheiros?\b": "arquivo",
    r"\bregist(?:o|os|ad[oa]s?|ar)\b": "registro / registrado / registrar",
    r"\bpalavras?-passe\b": "senha",
    r"\becrãs?\b": "tela",
    r"\butilizador(?:es|as?)?\b": "usuário",
    r"\bequipas?\b": "equipe",
    r"\bcontact(?:o|os|ar)\b": "contato / entrar em contato",
    r"\bsecç(?:ão|ões)\b": "seção",
    r"\breceç(?:ão|ões)\b": "recepção",
    r"\bliga(?:ção|ções)\b": "link",
    r"\bdescarreg\w*|\bdescargas?\b": "baixar / download",
    r"\bfacto\b": "fato",
    r"\bformand(?:o|os|a|as)\b|\bformador(?:es|as?)?\b": "aluno / instrutor",
    r"\binquérit(?:o|os)\b|\binquirid[oa]s?\b": "pesquisa",
    r"\b(?:eletrónic|académic|económic|sinónim|anónim|fenómen|polémic)\w*|\bgénero|\bprémio|\bhífenes\b":
        "ô / ê (eletrônico, gênero, sinônimo…)",
    r"\bporque é que\b": "por que",
    r"\bnoutr[oa]s?\b|(?<![(\w])numa?s?\b(?!\))": "em outro / em um / em uma",
    r"\bIntroduza\b|\bpartilh\w+|\baceder\b|\btelemóvel\b": "digite / compartilhar / acessar / celular",
    r"\b(?:Gabinete|Instituto) Europeu de Patentes\b": "Escritório Europeu de Patentes",
    r"\b(?:estar|estou|está|estás|estamos|estão|estava|estavam|esteja|estejam|estiver|estiverem) a "
    r"(?:ser|\w+[aei]r)\b": "gerúndio: está sendo preparado",
    r"(?<!\w)[Aa] aguardar\b|\bà espera de\b": "aguardando",
    r"\w+ámos\b": "enviamos (no accent)",
    r"-(?:lo|la|los|las|lhe|lhes|se|nos|o|a|os|as)-(?:á|ão|ia|iam|ei|emos)\b": "vai recebê-lo (no mesoclisis)",
    r"\bde imediato\b|\bde momento\b|\btem a certeza\b": "imediatamente / no momento / tem certeza",
    r"[«»]": "Brazilian quotation marks “ ”",
}


def european_forms(text: str) -> list[str]:
    return [f"{found.group(0)!r} (say: {hint})" for pattern, hint in EUROPEAN_ONLY.items()
            for found in re.finditer(pattern, text, re.IGNORECASE)]


def test_every_portuguese_interface_message_is_brazilian():
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="pt")
    offenders = []
    for message in catalogue:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            for offence in european_forms(form or ""):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                offenders.append(f"{msgid!r}: {offence}")
    assert not offenders, "European Portuguese in the pt catalogue:\n" + "\n".join(offenders)


def strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list | tuple):
        return [s for value in data for s in strings(value)]
    return []


def test_the_portuguese_demo_tasks_and_sample_certificate_are_brazilian_too():
    """What a Brazilian learner sees in the demo: the practice tasks and rubrics, and the sample certificate."""
    texts = strings(TASKS["pt"]) + strings(LEVELS["pt"]) + list(SAMPLES["pt"])
    offenders = [f"{text[:60]!r}: {offence}" for text in texts for offence in european_forms(text)]
    assert not offenders, "\n".join(offenders)


def test_the_check_catches_the_european_forms_it_names():
    assert european_forms("O seu certificado está a ser preparado; guarde o ficheiro «x».")
    assert european_forms("Enviámos-lhe a palavra-passe; recebê-la-á em breve.")
    assert not european_forms("O seu certificado está sendo preparado; salve o arquivo “x”. %(num)d pontos")
