"""Hand-written contested war reports in en/uk/ru/ko, with crafted bad summaries.

Each article has two opposing attributed sides (Russia's defence ministry and
Ukraine's General Staff, plus other speakers of each side), loaded words inside
quotations and in reported speech outside quotations, numbers and names. The events
are invented for the tests.

``BAD[lang][kind]`` is ``(summary, check meant to catch it, span the finding must
quote)``; ``span`` is ``None`` for a missing side (nothing in the summary to quote).
"""

from __future__ import annotations

ARTICLES: dict[str, str] = {
    "en": """\
Russia's defence ministry said on Tuesday that its forces had captured the village of Krasnohorivka in the Donetsk region.
The ministry said the village had been "liberated" after three days of fighting and that 120 Ukrainian soldiers had been killed.
Ukraine's General Staff denied the claim, saying fighting for the village continues. "Our defenders are holding their positions on the western outskirts," the General Staff said in a statement.
Krasnohorivka lies about 10 kilometres west of Donetsk city and had a pre-war population of about 16,000. Neither side's account could be independently verified.
Oleksandr Shtupun, a spokesman for Ukraine's southern military grouping, told Ukrainian television that Russian troops had lost 1,200 men in the area over the past week. He described the Russian assault as "brutal and senseless".
Kremlin spokesman Dmitry Peskov told reporters that the Kyiv regime was sacrificing its soldiers to hold a village of no military value.
Ukrainian officials accused the occupiers of shelling civilian areas of nearby Kurakhove, where two people were wounded on Monday.
The fighting comes ahead of talks in Geneva on 14 March.
""",
    "ru": """\
Министерство обороны России заявило во вторник, что его войска взяли под контроль село Красногоровка в Донецкой области.
В ведомстве сообщили, что село было «освобождено» после трёх дней боёв, а потери украинской стороны составили 120 военнослужащих.
Генеральный штаб Вооружённых сил Украины опроверг это заявление, сообщив, что бои за село продолжаются. «Наши защитники удерживают позиции на западной окраине села», — говорится в заявлении Генштаба.
Красногоровка расположена примерно в 10 километрах к западу от Донецка, до войны в ней проживали около 16 тысяч человек. Независимо проверить заявления сторон не удалось.
Представитель Южной группировки войск ВСУ Владислав Волошин сообщил украинскому телевидению, что за последнюю неделю российские войска потеряли на этом направлении 1 200 человек. Он назвал российское наступление «жестоким и бессмысленным».
Пресс-секретарь Кремля Дмитрий Песков заявил журналистам, что киевский режим жертвует своими солдатами ради села, не имеющего военного значения.
Украинские власти обвинили оккупантов в обстрелах жилых кварталов соседнего Курахово, где в понедельник были ранены два человека.
Бои идут накануне переговоров в Женеве 14 марта.
""",
    "uk": """\
Міністерство оборони Росії заявило у вівторок, що його війська захопили село Красногорівка в Донецькій області.
У відомстві повідомили, що село було «визволено» після трьох днів боїв, а втрати української сторони становили 120 військовослужбовців.
Генеральний штаб Збройних сил України спростував цю заяву, повідомивши, що бої за село тривають. «Наші захисники утримують позиції на західній околиці села», — йдеться в заяві Генштабу.
Красногорівка розташована приблизно за 10 кілометрів на захід від Донецька, до війни там проживало близько 16 тисяч людей. Незалежно перевірити заяви сторін не вдалося.
Речник Південного угруповання військ ЗСУ Владислав Волошин повідомив українському телебаченню, що за останній тиждень російські війська втратили на цьому напрямку 1 200 осіб. Він назвав російський наступ «жорстоким і безглуздим».
Речник Кремля Дмитро Пєсков заявив журналістам, що київський режим жертвує своїми солдатами заради села, яке не має військового значення.
Українська влада звинуватила окупантів в обстрілах житлових кварталів сусіднього Курахового, де в понеділок були поранені двоє людей.
Бої тривають напередодні переговорів у Женеві 14 березня.
""",
    "ko": """\
러시아 국방부는 화요일 자국군이 도네츠크주 크라스노호리우카 마을을 장악했다고 밝혔다.
국방부는 사흘간의 전투 끝에 마을이 "해방"됐으며 우크라이나군 120명이 사망했다고 주장했다.
우크라이나 총참모부는 이 주장을 부인하며 마을을 둘러싼 전투가 계속되고 있다고 밝혔다. 총참모부는 성명에서 "우리 방어군이 마을 서쪽 외곽에서 진지를 지키고 있다"고 말했다.
크라스노호리우카는 도네츠크시에서 서쪽으로 약 10km 떨어져 있으며 전쟁 전 인구는 약 1만 6천 명이었다. 양측의 주장은 독립적으로 확인되지 않았다.
우크라이나 남부 작전사령부의 블라디슬라우 볼로신 대변인은 우크라이나 방송에 러시아군이 지난 일주일 동안 이 지역에서 1,200명의 병력을 잃었다고 전했다. 그는 러시아군의 공격이 "잔혹하고 무의미하다"고 말했다.
드미트리 페스코프 크렘린궁 대변인은 기자들에게 키이우 정권이 군사적 가치도 없는 마을을 지키려고 자국 병사들을 희생시키고 있다고 말했다.
우크라이나 당국은 점령군이 인근 쿠라호베의 민간인 거주 지역을 포격해 월요일에 2명이 다쳤다고 비난했다.
이번 전투는 3월 14일 제네바 회담을 앞두고 벌어졌다.
""",
}

#: The sentence each side must be carried by (whole, with its speaker).
SIDE_SENTENCES: dict[str, tuple[str, str]] = {
    "en": ("Russia's defence ministry said on Tuesday that its forces had captured the "
           "village of Krasnohorivka in the Donetsk region.",
           "Ukraine's General Staff denied the claim, saying fighting for the village "
           "continues."),
    "ru": ("Министерство обороны России заявило во вторник, что его войска взяли под "
           "контроль село Красногоровка в Донецкой области.",
           "Генеральный штаб Вооружённых сил Украины опроверг это заявление, сообщив, что "
           "бои за село продолжаются."),
    "uk": ("Міністерство оборони Росії заявило у вівторок, що його війська захопили село "
           "Красногорівка в Донецькій області.",
           "Генеральний штаб Збройних сил України спростував цю заяву, повідомивши, що бої "
           "за село тривають."),
    "ko": ("러시아 국방부는 화요일 자국군이 도네츠크주 크라스노호리우카 마을을 장악했다고 "
           "밝혔다.",
           "우크라이나 총참모부는 이 주장을 부인하며 마을을 둘러싼 전투가 계속되고 있다고 "
           "밝혔다."),
}

BAD: dict[str, dict[str, tuple[str, str, str | None]]] = {
    "en": {
        "dropped_attribution": (
            "Russian forces captured the village of Krasnohorivka in the Donetsk region. "
            "Ukraine's General Staff denied the claim, saying fighting for the village "
            "continues.",
            "attribution",
            "Russian forces captured the village of Krasnohorivka in the Donetsk region."),
        "invented_number": (
            "Russia's defence ministry said its forces had captured Krasnohorivka and killed "
            "300 Ukrainian soldiers. Ukraine's General Staff denied the claim.",
            "novel_content", "300"),
        "added_loaded_word": (
            "Russia's defence ministry said on Tuesday that its forces had captured the "
            "village of Krasnohorivka in the Donetsk region. Ukraine's General Staff denied "
            "the claim, saying heroic fighting for the village continues.",
            "loaded_language", "heroic"),
        "missing_side": (
            "Russia's defence ministry said on Tuesday that its forces had captured the "
            "village of Krasnohorivka in the Donetsk region. The ministry said 120 Ukrainian "
            "soldiers had been killed.",
            "sides", None),
    },
    "ru": {
        "dropped_attribution": (
            "Российские войска взяли под контроль село Красногоровка в Донецкой области. "
            "Генеральный штаб Вооружённых сил Украины опроверг это заявление, сообщив, что "
            "бои за село продолжаются.",
            "attribution",
            "Российские войска взяли под контроль село Красногоровка в Донецкой области."),
        "invented_number": (
            "Министерство обороны России заявило, что его войска взяли под контроль село "
            "Красногоровка и уничтожили 300 военнослужащих. Генеральный штаб Вооружённых сил "
            "Украины опроверг это заявление.",
            "novel_content", "300"),
        "added_loaded_word": (
            "Министерство обороны России заявило во вторник, что его войска взяли под "
            "контроль село Красногоровка в Донецкой области. Генеральный штаб Вооружённых сил "
            "Украины опроверг это заявление, сообщив, что героические бои за село "
            "продолжаются.",
            "loaded_language", "героические"),
        "missing_side": (
            "Министерство обороны России заявило во вторник, что его войска взяли под "
            "контроль село Красногоровка в Донецкой области. В ведомстве сообщили, что "
            "потери украинской стороны составили 120 военнослужащих.",
            "sides", None),
    },
    "uk": {
        "dropped_attribution": (
            "Російські війська захопили село Красногорівка в Донецькій області. Генеральний "
            "штаб Збройних сил України спростував цю заяву, повідомивши, що бої за село "
            "тривають.",
            "attribution",
            "Російські війська захопили село Красногорівка в Донецькій області."),
        "invented_number": (
            "Міністерство оборони Росії заявило, що його війська захопили село Красногорівка "
            "і знищили 300 військовослужбовців. Генеральний штаб Збройних сил України "
            "спростував цю заяву.",
            "novel_content", "300"),
        "added_loaded_word": (
            "Міністерство оборони Росії заявило у вівторок, що його війська захопили село "
            "Красногорівка в Донецькій області. Генеральний штаб Збройних сил України "
            "спростував цю заяву, повідомивши, що героїчні бої за село тривають.",
            "loaded_language", "героїчні"),
        "missing_side": (
            "Міністерство оборони Росії заявило у вівторок, що його війська захопили село "
            "Красногорівка в Донецькій області. У відомстві повідомили, що втрати української "
            "сторони становили 120 військовослужбовців.",
            "sides", None),
    },
    "ko": {
        "dropped_attribution": (
            "러시아군이 도네츠크주 크라스노호리우카 마을을 장악했다. 우크라이나 총참모부는 이 "
            "주장을 부인하며 마을을 둘러싼 전투가 계속되고 있다고 밝혔다.",
            "attribution", "러시아군이 도네츠크주 크라스노호리우카 마을을 장악했다."),
        "invented_number": (
            "러시아 국방부는 자국군이 크라스노호리우카 마을을 장악하고 우크라이나군 300명을 "
            "사살했다고 밝혔다. 우크라이나 총참모부는 이 주장을 부인했다.",
            "novel_content", "300"),
        "added_loaded_word": (
            "러시아 국방부는 화요일 자국군이 도네츠크주 크라스노호리우카 마을을 장악했다고 "
            "밝혔다. 우크라이나 총참모부는 이 주장을 부인하며 마을을 둘러싼 영웅적인 전투가 "
            "계속되고 있다고 밝혔다.",
            "loaded_language", "영웅적인"),
        "missing_side": (
            "러시아 국방부는 화요일 자국군이 도네츠크주 크라스노호리우카 마을을 장악했다고 "
            "밝혔다. 국방부는 우크라이나군 120명이 사망했다고 주장했다.",
            "sides", None),
    },
}
