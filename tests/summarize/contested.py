"""Contested articles with page furniture around them, in en/uk/ru/ko, and crafted
bad summaries of each.

Every article has: furniture before and after the text (datelines, bylines, share
bars, comment widgets, ads, "Read more" blocks, copyright lines); a reporter's lead
restating one side's claim; the claim stated before the denial and again after it;
three or more speakers. Per language one war report and one non-war dispute. The
events are invented for the tests.

``Case.bad`` holds summaries that must fail the report: ``dropped_denial`` (the
claim, and the other side present only through an unrelated sentence),
``misattribution`` (a position given to the other side) and ``one_sided`` (one
side's sentences only).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    lang: str
    text: str
    #: Side names the claims table must give the claim and the counter-claim.
    claim_side: str
    counter_side: str
    #: A piece of the claim's sentence and of the denial's (to find them).
    claim: str
    counter: str
    #: Furniture lines that must be left out.
    furniture: tuple[str, ...]
    bad: dict[str, str] = field(default_factory=dict)


EN_WAR = Case(
    lang="en",
    text="""\
date 2025-04-26 Russia claims Kursk region retaken; Kyiv says fighting goes on Saturday, April 26, 2025 11:01:03 AM
Russia claims Kursk region retaken; Kyiv says fighting goes on
By Daria Melnyk
Share
Russian forces have driven Ukrainian troops out of the Kursk region after eight months of fighting.
Chief of Russia's General Staff Valery Gerasimov told President Vladimir Putin on Saturday that the last Ukrainian units had left the Kursk region and that North Korean troops had given "significant assistance".
However, Ukraine's General Staff has refuted claims by Russia's top military command regarding the alleged conclusion of hostilities in the Kursk region.
"Our units continue to hold defensive positions in the designated areas," the General Staff said, adding that five Russian assaults had been repelled over the past day.
Kremlin spokesman Dmitry Peskov later repeated that the Kursk region had been fully liberated and said the operation was over.
Ukraine's military intelligence said this month that about 4,000 North Korean soldiers had been killed or wounded in the region.
The Institute for the Study of War, a US think tank, said it could not confirm either account.
Advertisement
Read more:
Zelensky meets European leaders in Kyiv
Drone attack on Odesa port
Share
Comments
Please enable JavaScript to view the comments powered by Disqus.
© 2025 Kyiv Wire. All rights reserved.
""",
    claim_side="Russia", counter_side="Ukraine",
    claim="Gerasimov told President Vladimir Putin", counter="has refuted claims",
    furniture=("date 2025-04-26", "By Daria Melnyk", "Share", "Comments", "Advertisement",
               "Please enable JavaScript", "All rights reserved", "Read more:",
               "Drone attack on Odesa port"),
    bad={
        "dropped_denial": (
            "Chief of Russia's General Staff Valery Gerasimov told President Vladimir Putin on "
            "Saturday that the last Ukrainian units had left the Kursk region and that North "
            "Korean troops had given \"significant assistance\". Ukraine's military "
            "intelligence said this month that about 4,000 North Korean soldiers had been "
            "killed or wounded in the region."),
        "misattribution": (
            "Chief of Ukraine's General Staff told reporters on Saturday that the last "
            "Ukrainian units had left the Kursk region. Russia's General Staff has refuted "
            "claims regarding the alleged conclusion of hostilities in the Kursk region."),
        "one_sided": (
            "Russian forces have driven Ukrainian troops out of the Kursk region after eight "
            "months of fighting. Kremlin spokesman Dmitry Peskov later repeated that the "
            "Kursk region had been fully liberated and said the operation was over."),
    },
)

EN_CIVIC = Case(
    lang="en",
    text="""\
Riverton bus strike: authority says deal done, union says no
Published 09:14 GMT, 3 March 2026
Tweet Share Email
Bus drivers in Riverton have accepted a new pay deal, ending a two-week strike.
The Riverton Transit Authority said on Monday that drivers had voted to accept a 4% pay rise and that full services would resume on Wednesday.
The Amalgamated Drivers' Union denied that any deal had been agreed, saying its members had not voted and the strike would continue.
"Nobody has signed anything," union secretary Maria Lopez told reporters outside the depot.
Tom Reed, a spokesman for the Riverton Transit Authority, insisted later that union representatives had signed the agreement on Sunday night.
Mayor Linda Hart said she hoped both sides would return to talks this week.
About 40,000 people use the city's buses every day.
Subscribe to our newsletter for the latest local news.
Copyright 2026 Riverton Courier. All rights reserved.
""",
    claim_side="Riverton Transit Authority", counter_side="Amalgamated Drivers' Union",
    claim="drivers had voted to accept", counter="denied that any deal",
    furniture=("Published 09:14 GMT", "Tweet Share Email", "Subscribe to our newsletter",
               "Copyright 2026"),
    bad={
        "dropped_denial": (
            "The Riverton Transit Authority said on Monday that drivers had voted to accept a "
            "4% pay rise and that full services would resume on Wednesday. \"Nobody has "
            "signed anything,\" union secretary Maria Lopez told reporters outside the depot."),
        "misattribution": (
            "The Amalgamated Drivers' Union said on Monday that drivers had voted to accept "
            "a 4% pay rise and that full services would resume on Wednesday. The Riverton "
            "Transit Authority denied that any deal had been agreed."),
        "one_sided": (
            "Bus drivers in Riverton have accepted a new pay deal, ending a two-week strike. "
            "Tom Reed, a spokesman for the Riverton Transit Authority, insisted later that "
            "union representatives had signed the agreement on Sunday night."),
    },
)

UK_WAR = Case(
    lang="uk",
    text="""\
Опубліковано 12.05.2026 08:40
Росія заявила про захоплення Часового Яру, ЗСУ це заперечують
Автор: Олена Коваль
Поділитися
Російські війська повністю захопили місто Часів Яр на Донеччині.
Міністерство оборони Росії заявило в понеділок, що його підрозділи встановили повний контроль над Часовим Яром після кількох місяців боїв.
Генеральний штаб ЗСУ спростував заяву російського міністерства, повідомивши, що українські підрозділи утримують позиції в західній частині міста.
«Бої тривають, оточення немає», — йдеться в повідомленні Генштабу.
Речник Кремля Дмитро Пєсков згодом повторив, що місто повністю звільнене.
Аналітики американського Інституту вивчення війни зазначили, що не можуть підтвердити жодну з версій.
Президент Володимир Зеленський заявив, що ситуація на сході залишається складною.
Реклама
Читайте також:
У Харкові пролунали вибухи
Коментарі
Усі права захищені. Використання матеріалів дозволяється за умови посилання на сайт.
""",
    claim_side="Russia", counter_side="Ukraine",
    claim="встановили повний контроль", counter="спростував заяву",
    furniture=("Опубліковано 12.05.2026", "Автор: Олена Коваль", "Поділитися", "Реклама",
               "Читайте також:", "У Харкові пролунали вибухи", "Коментарі",
               "Усі права захищені"),
    bad={
        "dropped_denial": (
            "Міністерство оборони Росії заявило в понеділок, що його підрозділи встановили "
            "повний контроль над Часовим Яром після кількох місяців боїв. Президент Володимир "
            "Зеленський заявив, що ситуація на сході залишається складною."),
        "misattribution": (
            "Генеральний штаб ЗСУ заявив у понеділок, що російські підрозділи встановили "
            "повний контроль над Часовим Яром. Міністерство оборони Росії спростувало "
            "заяву, повідомивши, що українські підрозділи утримують позиції."),
        "one_sided": (
            "Російські війська повністю захопили місто Часів Яр на Донеччині. Речник Кремля "
            "Дмитро Пєсков згодом повторив, що місто повністю звільнене."),
    },
)

UK_CIVIC = Case(
    lang="uk",
    text="""\
МОЗ заявляє, що дефіциту інсуліну немає, аптекарі — що є
Оновлено: 14:05
Facebook Telegram Viber
В аптеках країни відновилися запаси інсуліну.
Міністерство охорони здоров'я заявило у вівторок, що дефіциту інсуліну в аптеках немає і що всі регіони отримали нові партії препарату.
Асоціація аптечних мереж відкинула твердження міністерства, заявивши, що в половині аптек інсуліну немає вже третій тиждень.
Голова асоціації Ірина Савчук сказала, що пацієнти їздять за ліками до сусідніх міст.
Речник міністерства Андрій Гнатюк наполягав, що поставки йдуть за графіком і що нові партії вже розподілені.
Пацієнтська організація «Діабет разом» закликала сторони оприлюднити дані про залишки.
Підписуйтесь на наш Telegram-канал.
Усі права захищені.
""",
    claim_side="Міністерство охорони здоров'я", counter_side="Асоціація аптечних мереж",
    claim="дефіциту інсуліну в аптеках немає", counter="відкинула твердження",
    furniture=("Оновлено: 14:05", "Facebook Telegram Viber", "Підписуйтесь на наш",
               "Усі права захищені"),
    bad={
        "dropped_denial": (
            "Міністерство охорони здоров'я заявило у вівторок, що дефіциту інсуліну в аптеках "
            "немає і що всі регіони отримали нові партії препарату. Пацієнтська організація "
            "«Діабет разом» закликала сторони оприлюднити дані про залишки."),
        "misattribution": (
            "Асоціація аптечних мереж заявила у вівторок, що дефіциту інсуліну в аптеках "
            "немає. Міністерство охорони здоров'я відкинуло твердження, заявивши, що в "
            "половині аптек інсуліну немає вже третій тиждень."),
        "one_sided": (
            "В аптеках країни відновилися запаси інсуліну. Речник міністерства Андрій Гнатюк "
            "наполягав, що поставки йдуть за графіком і що нові партії вже розподілені."),
    },
)

RU_WAR = Case(
    lang="ru",
    text="""\
ГАЗА, 18 октября. /Вестник/.
Кто ударил по больнице в Газе: ХАМАС обвиняет Израиль, Израиль это отрицает
18.10.2026 10:12
Поделиться
Больница «Аль-Ахли» в Газе была разрушена израильским авиаударом.
Министерство здравоохранения, подконтрольное ХАМАС, заявило, что израильский авиаудар по больнице убил не менее 200 человек.
Армия обороны Израиля отвергла эти обвинения, заявив, что больницу поразила неудачно запущенная ракета палестинской группировки.
«Наши самолёты в этом районе не работали», — сказал представитель армии Даниэль Хагари.
Представители ХАМАС позднее вновь заявили, что удар нанесла израильская авиация.
Всемирная организация здравоохранения призвала провести независимое расследование.
Реклама
Читайте также: В Тель-Авиве прозвучали сирены
Комментарии (12)
Все права защищены. При использовании материалов ссылка на сайт обязательна.
""",
    claim_side="Hamas", counter_side="Israel",
    claim="убил не менее 200 человек", counter="отвергла эти обвинения",
    furniture=("ГАЗА, 18 октября. /Вестник/.", "18.10.2026 10:12", "Поделиться", "Реклама",
               "Читайте также", "Комментарии (12)", "Все права защищены"),
    bad={
        "dropped_denial": (
            "Министерство здравоохранения, подконтрольное ХАМАС, заявило, что израильский "
            "авиаудар по больнице убил не менее 200 человек. «Наши самолёты в этом районе не "
            "работали», — сказал представитель армии Даниэль Хагари."),
        "misattribution": (
            "Армия обороны Израиля заявила, что израильский авиаудар по больнице убил не "
            "менее 200 человек. Министерство здравоохранения, подконтрольное ХАМАС, отвергло "
            "эти обвинения."),
        "one_sided": (
            "Больница «Аль-Ахли» в Газе была разрушена израильским авиаударом. Представители "
            "ХАМАС позднее вновь заявили, что удар нанесла израильская авиация."),
    },
)

RU_CIVIC = Case(
    lang="ru",
    text="""\
Мэрия: стройки в парке не будет. Жители: уже рубят деревья
Автор: Иван Петров
Обновлено 7 июня 2026, 16:20
ВКонтакте Telegram Одноклассники
Строительство торгового центра в Заречном парке отменено.
Мэрия Ярославля заявила в среду, что разрешение на строительство торгового центра в Заречном парке отозвано и работы остановлены.
Инициативная группа «Сохраним Заречный парк» опровергла заявление мэрии, сообщив, что в четверг утром рабочие продолжали вырубку деревьев.
Координатор группы Анна Белова сказала, что жители засняли технику на видео.
Пресс-секретарь мэрии Олег Смирнов повторил, что работы остановлены, а на участке идёт только уборка мусора.
Депутат областной думы Сергей Ким пообещал направить запрос в прокуратуру.
Подписывайтесь на наш канал. Нашли ошибку? Выделите её и нажмите Ctrl+Enter.
© 2026 Ярославские вести
""",
    claim_side="Мэрия Ярославля", counter_side="Инициативная группа «Сохраним Заречный парк»",
    claim="разрешение на строительство", counter="опровергла заявление мэрии",
    furniture=("Автор: Иван Петров", "Обновлено 7 июня 2026", "ВКонтакте Telegram",
               "Нашли ошибку", "© 2026"),
    bad={
        "dropped_denial": (
            "Мэрия Ярославля заявила в среду, что разрешение на строительство торгового "
            "центра в Заречном парке отозвано и работы остановлены. Депутат областной думы "
            "Сергей Ким пообещал направить запрос в прокуратуру."),
        "misattribution": (
            "Инициативная группа «Сохраним Заречный парк» заявила в среду, что разрешение на "
            "строительство торгового центра отозвано и работы остановлены. Мэрия Ярославля "
            "опровергла это, сообщив, что рабочие продолжали вырубку деревьев."),
        "one_sided": (
            "Строительство торгового центра в Заречном парке отменено. Пресс-секретарь мэрии "
            "Олег Смирнов повторил, что работы остановлены, а на участке идёт только уборка "
            "мусора."),
    },
)

KO_WAR = Case(
    lang="ko",
    text="""\
(서울=한빛뉴스) 김민수 기자 =
북한 "정찰위성 발사 성공" 주장…합참 "공중 폭발" 반박
입력 2026.05.27 09:31
공유하기
북한이 군사정찰위성을 궤도에 올리는 데 성공했다.
북한 조선중앙통신은 27일 새로 개발한 운반로켓으로 군사정찰위성을 정상 궤도에 진입시켰다고 주장했다.
합동참모본부는 이 주장을 반박하며 발사체가 발사 직후 서해 상공에서 폭발했다고 밝혔다.
합참 관계자는 "파편이 여러 조각으로 흩어지는 것을 포착했다"고 말했다.
조선중앙통신은 이후 위성이 지상 관제소와 교신하고 있다고 거듭 주장했다.
일본 방위성은 발사체가 일본 영역에 떨어지지 않았다고 밝혔다.
광고
관련기사
북한, 동해상으로 탄도미사일 발사
댓글 3
ⓒ 한빛뉴스, 무단전재 및 재배포 금지
""",
    claim_side="North Korea", counter_side="South Korea",
    claim="정상 궤도에 진입시켰다고", counter="이 주장을 반박하며",
    furniture=("입력 2026.05.27", "공유하기", "광고", "관련기사", "북한, 동해상으로 탄도미사일 발사",
               "댓글 3", "무단전재", "김민수 기자 ="),
    bad={
        "dropped_denial": (
            "북한 조선중앙통신은 27일 새로 개발한 운반로켓으로 군사정찰위성을 정상 궤도에 "
            "진입시켰다고 주장했다. 합참 관계자는 \"파편이 여러 조각으로 흩어지는 것을 "
            "포착했다\"고 말했다."),
        "misattribution": (
            "합동참모본부는 27일 군사정찰위성이 정상 궤도에 진입했다고 밝혔다. 북한 "
            "조선중앙통신은 이 주장을 반박하며 발사체가 발사 직후 서해 상공에서 폭발했다고 "
            "밝혔다."),
        "one_sided": (
            "북한이 군사정찰위성을 궤도에 올리는 데 성공했다. 조선중앙통신은 이후 위성이 "
            "지상 관제소와 교신하고 있다고 거듭 주장했다."),
    },
)

KO_CIVIC = Case(
    lang="ko",
    text="""\
공정위 "한빛전자 배터리 결함 은폐"…회사 "사실무근"
최종수정 2026.09.02 14:20
페이스북 트위터 카카오톡 링크복사
한빛전자가 노트북 배터리 결함을 숨긴 것으로 드러났다.
공정거래위원회는 2일 한빛전자가 배터리 과열 결함을 알고도 2년 동안 소비자에게 알리지 않았다고 발표했다.
한빛전자는 공정위의 발표를 부인하며 결함을 인지한 즉시 무상 교체를 시작했다고 밝혔다.
회사 측 변호인은 "은폐는 전혀 없었다"고 말했다.
공정위는 이후 내부 문건에서 결함 보고가 2024년에 이미 있었다고 거듭 밝혔다.
소비자단체 녹색소비자연대는 피해 보상 기준을 마련하라고 요구했다.
저작권자 ⓒ 한빛뉴스 무단전재 및 재배포 금지
""",
    claim_side="공정거래위원회", counter_side="한빛전자",
    claim="2년 동안 소비자에게 알리지", counter="공정위의 발표를 부인하며",
    furniture=("최종수정 2026.09.02", "페이스북 트위터 카카오톡", "저작권자"),
    bad={
        "dropped_denial": (
            "공정거래위원회는 2일 한빛전자가 배터리 과열 결함을 알고도 2년 동안 소비자에게 "
            "알리지 않았다고 발표했다. 소비자단체 녹색소비자연대는 피해 보상 기준을 "
            "마련하라고 요구했다."),
        "misattribution": (
            "한빛전자는 2일 배터리 과열 결함을 알고도 2년 동안 소비자에게 알리지 않았다고 "
            "발표했다. 공정거래위원회는 이를 부인하며 결함을 인지한 즉시 무상 교체를 "
            "시작했다고 밝혔다."),
        "one_sided": (
            "한빛전자가 노트북 배터리 결함을 숨긴 것으로 드러났다. 공정위는 이후 내부 "
            "문건에서 결함 보고가 2024년에 이미 있었다고 거듭 밝혔다."),
    },
)

CASES: dict[str, Case] = {"en-war": EN_WAR, "en-civic": EN_CIVIC, "uk-war": UK_WAR,
                          "uk-civic": UK_CIVIC, "ru-war": RU_WAR, "ru-civic": RU_CIVIC,
                          "ko-war": KO_WAR, "ko-civic": KO_CIVIC}
