import type { Message } from '../catalogue.js';
import type { trainingEn } from '../en/training.js';

/** Russian: training and calibration on fictional practice cases. */
export const trainingRu: Record<keyof typeof trainingEn, Message> = {
  'nav.training': 'Обучение',
  'nav.calibration': 'Калибровка',

  'training.banner.title': 'Обучение: вымышленный случай',
  'training.banner.text':
    'Это вымышленный учебный случай. Ничто из введённого здесь не попадает в настоящие дела.',

  'training.list.title': 'Обучение и калибровка',
  'training.list.intro':
    'Оценивайте вымышленные учебные случаи теми же инструментами и по тем же правилам, что и настоящую оценку. После отправки вы увидите по каждому пункту, где ваша оценка расходится с эталонной и почему, и степень согласия. Выполнив правило сертификации инструмента, вы получаете сертификат.',
  'training.list.cases': 'Учебные случаи',
  'training.list.case': 'Случай',
  'training.list.instrument': 'Инструмент',
  'training.list.state': 'Ваша работа',
  'training.list.continue': 'Продолжить оценку',
  'training.list.rated': {
    one: 'Оценён {count} раз',
    few: 'Оценён {count} раза',
    many: 'Оценён {count} раз',
    other: 'Оценён {count} раза',
  },
  'training.list.none': 'Учебных случаев пока нет.',

  'training.progress.title': 'Ваша сертификация',
  'training.progress.cases': 'Оценено учебных случаев',
  'training.progress.casesValue': '{done} из {total} необходимых',
  'training.progress.agreement': 'Согласие с эталоном',
  'training.progress.notYet': 'Пока не измерено',
  'training.progress.minimum': 'нужно не менее {minimum}',
  'training.progress.certification': 'Сертификат',
  'training.progress.certifiedUntil': 'Сертификат действует до {date}',

  'training.status.notStarted': 'Не начато',
  'training.status.certified': 'Сертифицирован',
  'training.status.recalibration_due': 'Нужна повторная калибровка',
  'training.status.expired': 'Срок истёк',
  'training.status.not_certified': 'Не сертифицирован',

  'training.case.author': 'Автор случая',
  'training.case.reviewer': 'Эталон утвердил',
  'training.case.file': 'Материалы случая',
  'training.case.start': 'Начать оценку случая',

  'training.section.background': 'Сведения о человеке',
  'training.section.interview': 'Беседа',
  'training.section.incident_report': 'Рапорт об инциденте',
  'training.section.file_note': 'Запись в деле',
  'training.section.third_party': 'Сведения третьих лиц',
  'training.section.observation': 'Наблюдение',

  'training.attempt.caseFile': 'Материалы случая',
  'training.attempt.caseFileNewTab': 'Открыть материалы случая (в новой вкладке)',
  'training.attempt.submitHint':
    'После отправки будут показаны эталонные оценки и их обоснование. Изменить попытку после этого нельзя.',
  'training.attempt.submit': 'Отправить и сравнить с эталоном',

  'training.item.notRated': 'Не оценено',

  'training.results.title': 'Ваши оценки в сравнении с эталоном',
  'training.results.certified': 'Вы сертифицированы',
  'training.results.exact': 'Точное совпадение',
  'training.results.compared': {
    one: 'сравнён {count} пункт',
    few: 'сравнено {count} пункта',
    many: 'сравнено {count} пунктов',
    other: 'сравнено {count} пункта',
  },
  'training.results.adjacent': 'Расхождение не более одной ступени',
  'training.results.kappa': 'Взвешенная каппа (линейная)',
  'training.results.final': 'Итоговое суждение',
  'training.results.finalValue': 'Ваше: {mine}. Эталон: {reference}.',
  'training.results.needsMatch': '{percent}% эталонных потребностей с тем же приоритетом.',
  'training.results.ruleMet': 'Правило сертификации выполнено.',
  'training.results.ruleNotMet': 'Правило сертификации пока не выполнено:',
  'training.results.items': 'По пунктам',
  'training.results.item': 'Пункт',
  'training.results.yours': 'Ваша оценка',
  'training.results.reference': 'Эталон',
  'training.results.outcome': 'Согласие',
  'training.results.reasoning': 'Обоснование эталона',
  'training.outcome.exact': 'Совпадает',
  'training.outcome.adjacent': 'На одну ступень',
  'training.outcome.differs': 'Расходится',
  'training.outcome.not_comparable': 'Не сравнивается',

  'training.overview.title': 'Калибровка сотрудников ваших учреждений',
  'training.overview.intro':
    'Статус сертификации сотрудников, проводящих оценку в ваших учреждениях, кому пора пройти повторную калибровку и насколько согласованно оценивается каждый пункт во всех учебных попытках.',
  'training.overview.people': 'Сотрудники',
  'training.overview.person': 'Имя',
  'training.overview.until': 'до {date}',
  'training.overview.personAgreement': 'оценено случаев: {cases}, каппа {kappa}',
  'training.overview.noPeople': 'В ваших учреждениях нет сотрудников, проводящих оценку.',
  'training.overview.items': 'Согласие по пунктам',
  'training.overview.itemsIntro':
    'Сначала пункты с наименьшим точным совпадением: им обучению стоит уделить больше времени.',
  'training.overview.ratings': 'Сравнено оценок',
  'training.overview.noItems': 'Учебных попыток пока нет.',

  'training.errors.stale':
    'Попытка изменилась после открытия страницы (возможно, в другой вкладке). Обновите страницу и внесите изменение снова.',

  'training.workspace.fictional': 'Вымышленный случай',
  'training.workspace.title': 'Оцените учебный случай',
  'training.workspace.backToCase': 'Назад к материалам случая',
  'training.workspace.submitTitle': 'Отправить и сравнить с эталоном',
  'training.workspace.changedElsewhere':
    'Вы изменили эту учебную оценку в другом окне или вкладке.',
  'training.results.icc': 'Внутриклассовая корреляция (ICC)',
  'training.results.notMeasurable': 'не поддаётся измерению',
  'training.results.statsTitle': 'Что означают эти показатели',
  'training.results.statsNote':
    'Точное согласие — доля пунктов, которые вы оценили так же, как эталон; «в пределах одного шага» учитывает и оценки, отличающиеся на один балл. Каппа и ICC делают поправку на случайное совпадение: 1 — полное согласие, 0 — не лучше случайного, около 0,6 и выше обычно считается достаточным для оценки реальных случаев. Каппа сравнивает оценки как категории и засчитывает близкие промахи частично; ICC рассматривает упорядоченную шкалу как баллы и показывает, насколько ваши баллы совпадают с эталонными, поэтому систематически завышенные на один шаг оценки его снижают. При небольшом числе пунктов оба показателя сильно меняются от случая к случаю.',
  'training.overview.personIcc': 'ICC {icc}',
  'training.overview.statsNote':
    'Каппа и ICC рассчитаны по всем пунктам, которые сотрудник оценил в учебных случаях: 1 — полное согласие с эталоном, 0 — не лучше случайного, около 0,6 и выше обычно считается хорошим результатом. Каппа засчитывает близкие промахи частично; ICC снижается и тогда, когда оценки систематически завышены или занижены.',
};
