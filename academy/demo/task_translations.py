"""The demo's practice tasks and rubrics in the six other languages.

Per language: the level names (shared by every rubric), then per task its title,
instructions, rubric title, and per criterion (in the English order) its title and the
descriptors of its levels (lowest first). PATENTSCOPE, Espacenet, IPC/CPC, FTO, PDF,
DOCX, XLSX, PNG and JPEG stay as they are in every language.
"""

from __future__ import annotations

LEVELS = {
    "fr": {"Insufficient": "Insuffisant", "Adequate": "Satisfaisant", "Good": "Bon", "Excellent": "Excellent",
           "Unclear": "Peu clair", "Clear": "Clair", "Actionable": "Exploitable"},
    "es": {"Insufficient": "Insuficiente", "Adequate": "Adecuado", "Good": "Bueno", "Excellent": "Excelente",
           "Unclear": "Poco claro", "Clear": "Claro", "Actionable": "Útil para actuar"},
    "pt": {"Insufficient": "Insuficiente", "Adequate": "Adequado", "Good": "Bom", "Excellent": "Excelente",
           "Unclear": "Pouco claro", "Clear": "Claro", "Actionable": "Útil para agir"},
    "ru": {"Insufficient": "Недостаточно", "Adequate": "Удовлетворительно", "Good": "Хорошо", "Excellent": "Отлично",
           "Unclear": "Неясно", "Clear": "Ясно", "Actionable": "Готово к действию"},
    "zh": {"Insufficient": "不足", "Adequate": "合格", "Good": "良好", "Excellent": "优秀",
           "Unclear": "不清楚", "Clear": "清楚", "Actionable": "可付诸行动"},
    "ar": {"Insufficient": "غير كافٍ", "Adequate": "مقبول", "Good": "جيد", "Excellent": "ممتاز",
           "Unclear": "غير واضح", "Clear": "واضح", "Actionable": "قابل للتنفيذ"},
}

TASKS = {
    "fr": {
        "prior-art-search": {
            "title": "Recherche d’antériorités pour un inventeur local",
            "instructions": (
                "Partez d’une demande réelle d’un inventeur ou d’une petite entreprise venu à votre CATI (retirez "
                "les données personnelles s’il n’a pas accepté de les partager). Effectuez une recherche "
                "d’antériorités dans au moins deux bases de données gratuites (par exemple PATENTSCOPE et "
                "Espacenet) et rédigez un rapport de recherche pour le client.\n\n"
                "À remettre : le rapport (PDF ou DOCX) avec la question de recherche, la stratégie (mots-clés, "
                "synonymes, classes CIB/CPC, opérateurs, les requêtes exactes et la date de chaque recherche), les "
                "cinq à dix documents les plus pertinents avec une brève note pour chacun, et votre conclusion dans "
                "des termes que le client comprend, y compris les limites d’une recherche dans des bases gratuites."),
            "rubric_title": "Rapport de recherche d’antériorités",
            "criteria": [
                ("Stratégie de recherche", [
                    "Mots-clés seulement ; aucune classification ; stratégie non documentée.",
                    "Mots-clés avec synonymes et au moins une classe CIB/CPC pertinente ; requêtes consignées.",
                    "Combine mots-clés, classes et opérateurs ; stratégie reproductible.",
                    "Ajoute la recherche par citations et justifie chaque choix ; entièrement reproductible."]),
                ("Bases de données et couverture", [
                    "Une seule source ; couverture non discutée.",
                    "Deux bases gratuites ; couverture mentionnée.",
                    "Sources choisies selon la technologie et les pays ; lacunes de couverture nommées."]),
                ("Pertinence des résultats", [
                    "Résultats non pertinents ou non expliqués.",
                    "Documents pertinents avec une brève note pour chacun.",
                    "Documents comparés à l’invention caractéristique par caractéristique."]),
                ("Rapport pour le client", [
                    "Jargon ; aucune conclusion.",
                    "Conclusion simple sur laquelle le client peut agir.",
                    "Conclusion claire, limites et prochaines étapes (par ex. recherche professionnelle, FTO)."]),
            ],
        },
        "landscape-snapshot": {
            "title": "Aperçu du paysage des brevets sur une technologie d’intérêt local",
            "instructions": (
                "Choisissez une technologie importante dans votre région (par exemple le séchage solaire des "
                "récoltes, le paiement mobile ou une médecine traditionnelle). Constituez un ensemble d’au moins "
                "100 familles de brevets, nettoyez-le et présentez un bref aperçu : dépôts par année, par office, "
                "principaux déposants et principales classes CIB, avec deux ou trois graphiques.\n\n"
                "À remettre : un court rapport (PDF ou DOCX) et les données nettoyées (XLSX). Expliquez comment vous "
                "avez dédoublonné par famille et ce que l’aperçu peut et ne peut pas dire à un décideur."),
            "rubric_title": "Aperçu du paysage des brevets",
            "criteria": [
                ("Périmètre et jeu de données", [
                    "Périmètre flou ; moins de 100 familles ou données non nettoyées.",
                    "Périmètre clair ; données nettoyées et dédoublonnées par famille.",
                    "Périmètre justifié ; étapes de nettoyage documentées et reproductibles."]),
                ("Analyse et graphiques", [
                    "Décomptes erronés ou graphiques trompeurs.",
                    "Décomptes corrects par année, office, déposant et classe.",
                    "Décomptes corrects, graphiques lisibles et tendances expliquées."]),
                ("Interprétation et limites", [
                    "Conclusions non étayées par les données.",
                    "Conclusions étayées ; principales limites nommées (délai de publication, couverture).",
                    "Éclairage utile à un décideur local, avec limites et réserves."]),
            ],
        },
        "awareness-session": {
            "title": "Séance de sensibilisation à l’information brevets pour des chercheurs ou des PME",
            "instructions": (
                "Préparez et animez une séance d’au moins une heure pour des chercheurs, des étudiants ou de petites "
                "entreprises sur la recherche et l’utilisation de l’information brevets. Adaptez les exemples à "
                "votre public.\n\n"
                "À remettre : l’ordre du jour et les diapositives (PDF), une liste de présence ou une photo (PNG ou "
                "JPEG ; floutez les visages si les participants n’ont pas accepté d’être photographiés), les avis "
                "recueillis et une réflexion d’une page sur ce qui a fonctionné et ce que vous changerez."),
            "rubric_title": "Séance de sensibilisation",
            "criteria": [
                ("Préparation et contenu", [
                    "Contenu générique ; erreurs sur les brevets.",
                    "Contenu correct avec une démonstration de recherche en direct.",
                    "Contenu et exemples adaptés au domaine du public."]),
                ("Animation et participation", [
                    "Séance non attestée.",
                    "Séance tenue et attestée ; les participants ont pratiqué une recherche.",
                    "Exercices pratiques ; questions traitées et suivi proposé."]),
                ("Avis et réflexion", [
                    "Aucun avis recueilli.",
                    "Avis recueillis et résumés.",
                    "Avis analysés, avec des changements concrets pour la prochaine fois."]),
            ],
        },
    },
    "es": {
        "prior-art-search": {
            "title": "Búsqueda del estado de la técnica para un inventor local",
            "instructions": (
                "Tome una solicitud real de un inventor o una pequeña empresa que haya acudido a su CATI (elimine "
                "los datos personales si no ha aceptado compartirlos). Realice una búsqueda del estado de la técnica "
                "en al menos dos bases de datos gratuitas (por ejemplo PATENTSCOPE y Espacenet) y redacte un informe "
                "de búsqueda para el cliente.\n\n"
                "Entregue: el informe (PDF o DOCX) con la pregunta de búsqueda, la estrategia (palabras clave, "
                "sinónimos, clases CIP/CPC, operadores, las consultas exactas y la fecha de cada búsqueda), los cinco "
                "a diez documentos más pertinentes con una breve nota sobre cada uno, y su conclusión en un lenguaje "
                "que el cliente entienda, incluidos los límites de una búsqueda en bases gratuitas."),
            "rubric_title": "Informe de búsqueda del estado de la técnica",
            "criteria": [
                ("Estrategia de búsqueda", [
                    "Solo palabras clave; sin clasificación; estrategia no documentada.",
                    "Palabras clave con sinónimos y al menos una clase CIP/CPC pertinente; consultas registradas.",
                    "Combina palabras clave, clases y operadores; estrategia reproducible.",
                    "Añade la búsqueda por citas y justifica cada elección; totalmente reproducible."]),
                ("Bases de datos y cobertura", [
                    "Una sola fuente; cobertura no analizada.",
                    "Dos bases gratuitas; cobertura mencionada.",
                    "Fuentes elegidas según la tecnología y los países; lagunas de cobertura señaladas."]),
                ("Pertinencia de los resultados", [
                    "Resultados no pertinentes o no explicados.",
                    "Documentos pertinentes con una breve nota cada uno.",
                    "Documentos comparados con la invención característica por característica."]),
                ("Informe para el cliente", [
                    "Jerga; sin conclusión.",
                    "Conclusión sencilla con la que el cliente puede actuar.",
                    "Conclusión clara, límites y próximos pasos (p. ej., búsqueda profesional, FTO)."]),
            ],
        },
        "landscape-snapshot": {
            "title": "Panorama rápido de patentes sobre una tecnología de interés local",
            "instructions": (
                "Elija una tecnología importante en su región (por ejemplo el secado solar de cosechas, los pagos "
                "móviles o una medicina tradicional). Reúna un conjunto de al menos 100 familias de patentes, "
                "depúrelo y presente un breve panorama: solicitudes por año, por oficina, principales solicitantes "
                "y principales clases CIP, con dos o tres gráficos.\n\n"
                "Entregue: un informe breve (PDF o DOCX) y los datos depurados (XLSX). Explique cómo eliminó los "
                "duplicados por familia y qué puede y qué no puede decir el panorama a quien toma decisiones."),
            "rubric_title": "Panorama rápido de patentes",
            "criteria": [
                ("Alcance y conjunto de datos", [
                    "Alcance poco claro; menos de 100 familias o datos sin depurar.",
                    "Alcance claro; datos depurados y sin duplicados por familia.",
                    "Alcance justificado; pasos de depuración documentados y reproducibles."]),
                ("Análisis y gráficos", [
                    "Recuentos erróneos o gráficos engañosos.",
                    "Recuentos correctos por año, oficina, solicitante y clase.",
                    "Recuentos correctos con gráficos legibles y tendencias explicadas."]),
                ("Interpretación y límites", [
                    "Conclusiones no respaldadas por los datos.",
                    "Conclusiones respaldadas; principales límites señalados (plazo de publicación, cobertura).",
                    "Información útil para quien decide a nivel local, con límites y salvedades."]),
            ],
        },
        "awareness-session": {
            "title": "Sesión de sensibilización sobre información de patentes para investigadores o pymes",
            "instructions": (
                "Planifique e imparta una sesión de al menos una hora para investigadores, estudiantes o pequeñas "
                "empresas sobre cómo encontrar y utilizar la información de patentes. Adapte los ejemplos a su "
                "público.\n\n"
                "Entregue: el programa y las diapositivas (PDF), una lista de asistencia o una foto (PNG o JPEG; "
                "difumine los rostros si los participantes no aceptaron ser fotografiados), las opiniones recogidas "
                "y una reflexión de una página sobre lo que funcionó y lo que cambiará."),
            "rubric_title": "Sesión de sensibilización",
            "criteria": [
                ("Preparación y contenido", [
                    "Contenido genérico; errores sobre las patentes.",
                    "Contenido correcto con una demostración de búsqueda en directo.",
                    "Contenido y ejemplos adaptados al ámbito del público."]),
                ("Impartición y participación", [
                    "Sesión no acreditada.",
                    "Sesión impartida y acreditada; los participantes practicaron una búsqueda.",
                    "Ejercicios prácticos; preguntas respondidas y seguimiento ofrecido."]),
                ("Opiniones y reflexión", [
                    "No se recogieron opiniones.",
                    "Opiniones recogidas y resumidas.",
                    "Opiniones analizadas con cambios concretos para la próxima vez."]),
            ],
        },
    },
    "pt": {
        "prior-art-search": {
            "title": "Pesquisa do estado da técnica para um inventor local",
            "instructions": (
                "Parta de um pedido real de um inventor ou de uma pequena empresa que recorreu ao seu CATI (remova "
                "os dados pessoais se ele não tiver concordado em compartilhá-los). Faça uma pesquisa do estado "
                "da técnica em pelo menos duas bases de dados gratuitas (por exemplo PATENTSCOPE e Espacenet) e "
                "redija um relatório de busca para o cliente.\n\n"
                "Entregue: o relatório (PDF ou DOCX) com a pergunta de pesquisa, a estratégia (palavras-chave, "
                "sinônimos, classes CIP/CPC, operadores, as expressões exatas e a data de cada pesquisa), os cinco a "
                "dez documentos mais relevantes com uma breve nota sobre cada um, e a sua conclusão em uma linguagem "
                "que o cliente compreenda, incluindo os limites de uma pesquisa em bases gratuitas."),
            "rubric_title": "Relatório de busca do estado da técnica",
            "criteria": [
                ("Estratégia de pesquisa", [
                    "Apenas palavras-chave; sem classificação; estratégia não documentada.",
                    "Palavras-chave com sinônimos e pelo menos uma classe CIP/CPC relevante; expressões registradas.",
                    "Combina palavras-chave, classes e operadores; estratégia reproduzível.",
                    "Acrescenta a pesquisa por citações e justifica cada escolha; totalmente reproduzível."]),
                ("Bases de dados e cobertura", [
                    "Uma só fonte; cobertura não discutida.",
                    "Duas bases gratuitas; cobertura mencionada.",
                    "Fontes escolhidas em função da tecnologia e dos países; lacunas de cobertura indicadas."]),
                ("Relevância dos resultados", [
                    "Resultados não relevantes ou não explicados.",
                    "Documentos relevantes com uma breve nota cada.",
                    "Documentos comparados com a invenção característica a característica."]),
                ("Relatório para o cliente", [
                    "Jargão; sem conclusão.",
                    "Conclusão simples com base na qual o cliente pode agir.",
                    "Conclusão clara, limites e próximos passos (p. ex., pesquisa profissional, FTO)."]),
            ],
        },
        "landscape-snapshot": {
            "title": "Panorama rápido de patentes sobre uma tecnologia de interesse local",
            "instructions": (
                "Escolha uma tecnologia importante na sua região (por exemplo a secagem solar de colheitas, os "
                "pagamentos móveis ou uma medicina tradicional). Constitua um conjunto de pelo menos 100 famílias de "
                "patentes, limpe-o e apresente um breve panorama: pedidos por ano, por instituto, principais "
                "requerentes e principais classes CIP, com dois ou três gráficos.\n\n"
                "Entregue: um relatório curto (PDF ou DOCX) e os dados limpos (XLSX). Explique como eliminou os "
                "duplicados por família e o que o panorama pode e não pode dizer a quem decide."),
            "rubric_title": "Panorama rápido de patentes",
            "criteria": [
                ("Escopo e conjunto de dados", [
                    "Escopo pouco claro; menos de 100 famílias ou dados não limpos.",
                    "Escopo claro; dados limpos e sem duplicados por família.",
                    "Escopo justificado; passos de limpeza documentados e reproduzíveis."]),
                ("Análise e gráficos", [
                    "Contagens erradas ou gráficos enganadores.",
                    "Contagens corretas por ano, instituto, requerente e classe.",
                    "Contagens corretas com gráficos legíveis e tendências explicadas."]),
                ("Interpretação e limites", [
                    "Conclusões não sustentadas pelos dados.",
                    "Conclusões sustentadas; principais limites indicados (prazo de publicação, cobertura).",
                    "Informação útil para quem decide localmente, com limites e ressalvas."]),
            ],
        },
        "awareness-session": {
            "title": "Sessão de conscientização sobre informação de patentes para pesquisadores ou PMEs",
            "instructions": (
                "Planeje e conduza uma sessão de pelo menos uma hora para pesquisadores, estudantes ou pequenas "
                "empresas sobre como encontrar e utilizar informação de patentes. Adapte os exemplos ao seu "
                "público.\n\n"
                "Entregue: a agenda e os slides (PDF), uma lista de presenças ou uma fotografia (PNG ou JPEG; "
                "desfoque os rostos se os participantes não aceitaram ser fotografados), as opiniões coletadas e "
                "uma reflexão de uma página sobre o que funcionou e o que vai mudar."),
            "rubric_title": "Sessão de conscientização",
            "criteria": [
                ("Preparação e conteúdo", [
                    "Conteúdo genérico; erros sobre patentes.",
                    "Conteúdo correto com uma demonstração de pesquisa ao vivo.",
                    "Conteúdo e exemplos adaptados à área do público."]),
                ("Condução e participação", [
                    "Sessão não comprovada.",
                    "Sessão realizada e comprovada; os participantes praticaram uma pesquisa.",
                    "Exercícios práticos; perguntas respondidas e acompanhamento oferecido."]),
                ("Opiniões e reflexão", [
                    "Nenhuma opinião recolhida.",
                    "Opiniões coletadas e resumidas.",
                    "Opiniões analisadas com mudanças concretas para a próxima vez."]),
            ],
        },
    },
    "ru": {
        "prior-art-search": {
            "title": "Поиск по уровню техники для местного изобретателя",
            "instructions": (
                "Возьмите реальный запрос изобретателя или небольшой компании, обратившихся в ваш ЦПТИ (удалите "
                "личные данные, если они не дали согласия на их передачу). Проведите поиск по уровню техники как "
                "минимум в двух бесплатных базах данных (например, PATENTSCOPE и Espacenet) и подготовьте отчёт о "
                "поиске для клиента.\n\n"
                "Представьте: отчёт (PDF или DOCX) с вопросом поиска, стратегией (ключевые слова, синонимы, рубрики "
                "МПК/CPC, операторы, точные поисковые запросы и дата каждого поиска), пятью–десятью наиболее "
                "релевантными документами с краткой заметкой о каждом и вашим выводом, изложенным понятно для "
                "клиента, включая ограничения поиска в бесплатных базах."),
            "rubric_title": "Отчёт о поиске по уровню техники",
            "criteria": [
                ("Стратегия поиска", [
                    "Только ключевые слова; без классификации; стратегия не описана.",
                    "Ключевые слова с синонимами и хотя бы одна подходящая рубрика МПК/CPC; запросы записаны.",
                    "Сочетает ключевые слова, рубрики и операторы; стратегию можно воспроизвести.",
                    "Добавлен поиск по цитированиям, каждый выбор обоснован; полностью воспроизводимо."]),
                ("Базы данных и охват", [
                    "Один источник; охват не обсуждается.",
                    "Две бесплатные базы; охват упомянут.",
                    "Источники выбраны с учётом технологии и стран; пробелы в охвате названы."]),
                ("Релевантность результатов", [
                    "Результаты нерелевантны или не объяснены.",
                    "Релевантные документы с краткой заметкой о каждом.",
                    "Документы сопоставлены с изобретением признак за признаком."]),
                ("Отчёт для клиента", [
                    "Жаргон; вывода нет.",
                    "Простой вывод, на основе которого клиент может действовать.",
                    "Ясный вывод, ограничения и дальнейшие шаги (например, профессиональный поиск, FTO)."]),
            ],
        },
        "landscape-snapshot": {
            "title": "Краткий патентный ландшафт по технологии, важной для региона",
            "instructions": (
                "Выберите технологию, значимую для вашего региона (например, солнечную сушку урожая, мобильные "
                "платежи или традиционную медицину). Соберите набор не менее чем из 100 патентных семейств, "
                "очистите его и представьте краткий обзор: заявки по годам, по ведомствам, основные заявители и "
                "основные рубрики МПК, с двумя-тремя диаграммами.\n\n"
                "Представьте: краткий отчёт (PDF или DOCX) и очищенные данные (XLSX). Объясните, как вы устранили "
                "дубликаты по семействам и что обзор может и чего не может сказать лицу, принимающему решения."),
            "rubric_title": "Краткий патентный ландшафт",
            "criteria": [
                ("Охват и набор данных", [
                    "Охват неясен; меньше 100 семейств или данные не очищены.",
                    "Охват ясен; данные очищены, дубликаты по семействам устранены.",
                    "Охват обоснован; шаги очистки описаны и воспроизводимы."]),
                ("Анализ и диаграммы", [
                    "Подсчёты неверны или диаграммы вводят в заблуждение.",
                    "Верные подсчёты по годам, ведомствам, заявителям и рубрикам.",
                    "Верные подсчёты, понятные диаграммы и объяснённые тенденции."]),
                ("Интерпретация и ограничения", [
                    "Выводы не подкреплены данными.",
                    "Выводы подкреплены; основные ограничения названы (задержка публикации, охват).",
                    "Полезные выводы для местного руководителя с ограничениями и оговорками."]),
            ],
        },
        "awareness-session": {
            "title": "Информационное занятие о патентной информации для исследователей или МСП",
            "instructions": (
                "Подготовьте и проведите занятие продолжительностью не менее часа для исследователей, студентов или "
                "небольших компаний о том, как находить и использовать патентную информацию. Подберите примеры для "
                "своей аудитории.\n\n"
                "Представьте: программу и слайды (PDF), список участников или фотографию (PNG или JPEG; размойте "
                "лица, если участники не дали согласия на съёмку), собранные отзывы и одностраничный анализ того, "
                "что получилось и что вы измените."),
            "rubric_title": "Информационное занятие",
            "criteria": [
                ("Подготовка и содержание", [
                    "Общее содержание; ошибки о патентах.",
                    "Верное содержание с демонстрацией поиска в реальном времени.",
                    "Содержание и примеры адаптированы к сфере аудитории."]),
                ("Проведение и участие", [
                    "Проведение занятия не подтверждено.",
                    "Занятие проведено и подтверждено; участники выполнили поиск.",
                    "Практические упражнения; ответы на вопросы и предложено сопровождение."]),
                ("Отзывы и анализ", [
                    "Отзывы не собраны.",
                    "Отзывы собраны и обобщены.",
                    "Отзывы проанализированы, намечены конкретные изменения."]),
            ],
        },
    },
    "zh": {
        "prior-art-search": {
            "title": "为本地发明人开展现有技术检索",
            "instructions": (
                "选取一位来到您所在TISC的发明人或小企业提出的真实请求（如对方未同意公开，请删除个人信息）。至少在两个免费"
                "数据库（例如PATENTSCOPE和Espacenet）中进行现有技术检索，并为客户撰写检索报告。\n\n"
                "提交：报告（PDF或DOCX），包括检索问题、检索策略（关键词、同义词、IPC/CPC分类、运算符、确切的检索式及每次"
                "检索的日期）、五至十篇最相关的文献及每篇的简短说明，以及用客户能理解的语言写出的结论，包括免费数据库检索的"
                "局限。"),
            "rubric_title": "现有技术检索报告",
            "criteria": [
                ("检索策略", [
                    "仅用关键词；未用分类；策略未记录。",
                    "关键词含同义词，并至少使用一个相关IPC/CPC分类；检索式已记录。",
                    "结合关键词、分类和运算符；策略可重复。",
                    "增加引文检索并说明每项选择的理由；完全可重复。"]),
                ("数据库与覆盖范围", [
                    "只有一个来源；未讨论覆盖范围。",
                    "两个免费数据库；提及覆盖范围。",
                    "根据技术和国家选择来源；指出覆盖缺口。"]),
                ("结果的相关性", [
                    "结果不相关或未作解释。",
                    "相关文献，每篇附简短说明。",
                    "逐项特征将文献与发明进行比较。"]),
                ("给客户的报告", [
                    "术语堆砌；没有结论。",
                    "结论浅显，客户可据此行动。",
                    "结论清楚，说明局限和后续步骤（例如专业检索、FTO）。"]),
            ],
        },
        "landscape-snapshot": {
            "title": "本地关注技术的专利态势速览",
            "instructions": (
                "选择一项对您所在地区重要的技术（例如农作物太阳能干燥、移动支付或某种传统医药）。建立至少包含100个专利族"
                "的结果集，进行清理，并提交一份简短速览：按年份、按局、主要申请人和主要IPC分类的申请情况，附两到三张"
                "图表。\n\n"
                "提交：一份简短报告（PDF或DOCX）和清理后的数据（XLSX）。说明您如何按专利族去重，以及该速览能告诉决策者什么、"
                "不能告诉什么。"),
            "rubric_title": "专利态势速览",
            "criteria": [
                ("范围与数据集", [
                    "范围不清；少于100个专利族或数据未清理。",
                    "范围清楚；数据已清理并按专利族去重。",
                    "范围有依据；清理步骤有记录且可重复。"]),
                ("分析与图表", [
                    "计数错误或图表具误导性。",
                    "按年份、局、申请人和分类的计数正确。",
                    "计数正确，图表易读，趋势有解释。"]),
                ("解读与局限", [
                    "结论缺乏数据支持。",
                    "结论有依据；指出主要局限（公开延迟、覆盖范围）。",
                    "为本地决策者提供可用见解，并说明局限和注意事项。"]),
            ],
        },
        "awareness-session": {
            "title": "面向研究人员或中小企业的专利信息普及讲座",
            "instructions": (
                "为研究人员、学生或小企业策划并举办一场至少一小时的讲座，介绍如何查找和利用专利信息。请根据受众调整"
                "示例。\n\n"
                "提交：议程和幻灯片（PDF）、签到表或照片（PNG或JPEG；如参与者未同意拍照，请模糊面部）、收集到的反馈，"
                "以及一页关于哪些做法有效、下次将作何改变的反思。"),
            "rubric_title": "普及讲座",
            "criteria": [
                ("准备与内容", [
                    "内容泛泛；有关专利的内容有误。",
                    "内容正确，并现场演示检索。",
                    "内容和示例针对受众领域进行了调整。"]),
                ("讲授与参与", [
                    "无法证明讲座已举办。",
                    "讲座已举办并有证明；参与者练习了检索。",
                    "有动手练习；解答了问题并提供后续支持。"]),
                ("反馈与反思", [
                    "未收集反馈。",
                    "已收集并汇总反馈。",
                    "分析了反馈并提出下次的具体改进。"]),
            ],
        },
    },
    "ar": {
        "prior-art-search": {
            "title": "البحث في حالة التقنية الصناعية السابقة لمخترع محلي",
            "instructions": (
                "انطلق من طلب حقيقي لمخترع أو شركة صغيرة لجأ إلى مركز دعم التكنولوجيا والابتكار لديك (احذف البيانات "
                "الشخصية إن لم يوافق صاحبها على مشاركتها). أجرِ بحثًا في حالة التقنية الصناعية السابقة في قاعدتي "
                "بيانات "
                "مجانيتين على الأقل (مثل PATENTSCOPE وEspacenet) واكتب تقرير بحث للعميل.\n\n"
                "المطلوب تقديمه: التقرير (PDF أو DOCX) متضمّنًا سؤال البحث، والاستراتيجية (الكلمات المفتاحية، "
                "والمرادفات، "
                "وأصناف التصنيف الدولي للبراءات/التصنيف التعاوني IPC/CPC، والعوامل المنطقية، وصيغ البحث الدقيقة "
                "وتاريخ كل "
                "بحث)، والوثائق الخمس إلى العشر الأكثر صلة مع ملاحظة قصيرة عن كل منها، واستنتاجك بلغة يفهمها العميل، "
                "بما "
                "في ذلك حدود البحث في قواعد البيانات المجانية."),
            "rubric_title": "تقرير البحث في حالة التقنية الصناعية السابقة",
            "criteria": [
                ("استراتيجية البحث", [
                    "كلمات مفتاحية فقط؛ بلا تصنيف؛ الاستراتيجية غير موثّقة.",
                    "كلمات مفتاحية مع مرادفات وصنف واحد على الأقل ذو صلة من IPC/CPC؛ صيغ البحث مسجّلة.",
                    "تجمع بين الكلمات المفتاحية والأصناف والعوامل المنطقية؛ الاستراتيجية قابلة للتكرار.",
                    "تضيف البحث في الاستشهادات وتعلّل كل اختيار؛ قابلة للتكرار بالكامل."]),
                ("قواعد البيانات والتغطية", [
                    "مصدر واحد؛ لم تُناقش التغطية.",
                    "قاعدتا بيانات مجانيتان؛ ذُكرت التغطية.",
                    "مصادر مختارة بحسب التكنولوجيا والبلدان؛ ذُكرت ثغرات التغطية."]),
                ("صلة النتائج", [
                    "نتائج غير ذات صلة أو غير مشروحة.",
                    "وثائق ذات صلة مع ملاحظة قصيرة عن كل منها.",
                    "وثائق مقارنة بالاختراع سمةً بسمة."]),
                ("التقرير المقدَّم للعميل", [
                    "مصطلحات متخصصة؛ لا استنتاج.",
                    "استنتاج بسيط يمكن للعميل أن يتصرّف بناءً عليه.",
                    "استنتاج واضح مع الحدود والخطوات التالية (مثل بحث مهني أو دراسة حرية الاستغلال FTO)."]),
            ],
        },
        "landscape-snapshot": {
            "title": "لمحة عن مشهد البراءات في تكنولوجيا ذات أهمية محلية",
            "instructions": (
                "اختر تكنولوجيا مهمة في منطقتك (مثل التجفيف الشمسي للمحاصيل، أو الدفع عبر الهاتف المحمول، أو أحد أنواع "
                "الطب التقليدي). كوّن مجموعة نتائج تضم 100 أسرة براءات على الأقل، ونقّحها، وقدّم لمحة موجزة: الإيداعات "
                "بحسب السنة وبحسب المكتب، وأبرز المودعين وأبرز أصناف التصنيف الدولي للبراءات، مع رسمين أو ثلاثة رسوم "
                "بيانية.\n\n"
                "المطلوب تقديمه: تقرير قصير (PDF أو DOCX) والبيانات المنقّحة (XLSX). اشرح كيف أزلت التكرار بحسب "
                "الأسرة، "
                "وما الذي يمكن أن تقوله اللمحة لصانع القرار وما لا يمكنها قوله."),
            "rubric_title": "لمحة عن مشهد البراءات",
            "criteria": [
                ("النطاق ومجموعة البيانات", [
                    "نطاق غير واضح؛ أقل من 100 أسرة أو بيانات غير منقّحة.",
                    "نطاق واضح؛ بيانات منقّحة وأُزيل تكرارها بحسب الأسرة.",
                    "نطاق معلَّل؛ خطوات التنقيح موثّقة وقابلة للتكرار."]),
                ("التحليل والرسوم البيانية", [
                    "أعداد خاطئة أو رسوم بيانية مضلِّلة.",
                    "أعداد صحيحة بحسب السنة والمكتب والمودع والصنف.",
                    "أعداد صحيحة مع رسوم بيانية مقروءة واتجاهات مشروحة."]),
                ("التفسير والحدود", [
                    "استنتاجات لا تدعمها البيانات.",
                    "استنتاجات مدعومة؛ ذُكرت الحدود الرئيسية (تأخر النشر، التغطية).",
                    "رؤى يمكن لصانع قرار محلي الاستفادة منها، مع الحدود والتحفظات."]),
            ],
        },
        "awareness-session": {
            "title": "جلسة توعية بمعلومات البراءات للباحثين أو المنشآت الصغيرة والمتوسطة",
            "instructions": (
                "خطّط لجلسة مدتها ساعة على الأقل وقدّمها للباحثين أو الطلاب أو الشركات الصغيرة حول إيجاد معلومات "
                "البراءات "
                "واستخدامها. كيّف الأمثلة بحسب جمهورك.\n\n"
                "المطلوب تقديمه: جدول الأعمال والشرائح (PDF)، وقائمة حضور أو صورة (PNG أو JPEG؛ موّه الوجوه إن لم "
                "يوافق "
                "المشاركون على تصويرهم)، والآراء التي جمعتها، وتأملًا من صفحة واحدة فيما نجح وما ستغيّره."),
            "rubric_title": "جلسة التوعية",
            "criteria": [
                ("الإعداد والمحتوى", [
                    "محتوى عام؛ أخطاء بشأن البراءات.",
                    "محتوى صحيح مع عرض حيّ لعملية بحث.",
                    "محتوى وأمثلة مكيّفة بحسب مجال الجمهور."]),
                ("التقديم والمشاركة", [
                    "لا دليل على عقد الجلسة.",
                    "عُقدت الجلسة مع ما يثبت ذلك؛ تدرّب المشاركون على إجراء بحث.",
                    "تمارين تطبيقية؛ أُجيب عن الأسئلة وعُرضت متابعة."]),
                ("الآراء والتأمل", [
                    "لم تُجمع آراء.",
                    "جُمعت الآراء ولُخّصت.",
                    "حُلّلت الآراء مع تغييرات محددة للمرة القادمة."]),
            ],
        },
    },
}


def seed_task_translations(programme) -> int:
    """Add the missing translations of the demo programme's tasks (idempotent); returns how many."""
    from academy.certification.translations import save_task_translation

    added = 0
    for task in programme.tasks:
        have = {t.language for t in task.translations}
        for lang, tasks in TASKS.items():
            words = tasks.get(task.key)
            if words is None or lang in have:
                continue
            criteria, levels = {}, {}
            for criterion, (title, descriptors) in zip(task.rubric.criteria, words["criteria"], strict=True):
                criteria[criterion.id] = (title, "")
                for level, descriptor in zip(criterion.levels, descriptors, strict=True):
                    levels[level.id] = (LEVELS[lang][level.title], descriptor)
            save_task_translation(task, lang, title=words["title"], instructions=words["instructions"],
                                  rubric_title=words["rubric_title"], criteria=criteria, levels=levels)
            added += 1
    return added
