import type { Message } from '../catalogue.js';
import type { enSpj } from '../en/spj.js';

/** Russian: every key of en/spj.ts. */
export const ruSpj: Record<keyof typeof enSpj, Message> = {
  'assessment.item.relevance': 'Значимость для этого человека (необязательно)',
  'assessment.item.relevanceHint':
    'Насколько этот фактор важен для пути этого человека, независимо от оценки. Фактор может присутствовать, но мало значить, или быть оценён низко и всё же быть решающим.',
  'assessment.item.relevance.low': 'Низкая значимость',
  'assessment.item.relevance.moderate': 'Средняя значимость',
  'assessment.item.relevance.high': 'Высокая значимость',
  'assessment.item.errors.relevance': 'Выберите значимость из списка',
  'assessment.item.historical':
    'История: показывается как контекст. Этот пункт никогда не используется в ориентировочных уровнях.',

  'assessment.scenarios.structuredHint':
    'Для каждого сценария укажите его вид, кому может быть причинён вред, насколько тяжёлый и как скоро, признаки-предупреждения, что может его вызвать и какие меры его предотвратят.',
  'assessment.scenarios.type': 'Вид сценария',
  'assessment.scenarios.type.repeat': 'Повторение: как вред в прошлом',
  'assessment.scenarios.type.twist': 'Изменение: иная форма вреда',
  'assessment.scenarios.type.escalation': 'Эскалация: тяжелее, чем прежде',
  'assessment.scenarios.type.improvement': 'Улучшение: лучший реалистичный вариант',
  'assessment.scenarios.likelyTargets': 'Вероятные цели',
  'assessment.scenarios.likelyTargetsHint':
    'Кому или чему может быть причинён вред. Описывайте людей и места, а не группу как таковую.',
  'assessment.scenarios.severity': 'Тяжесть',
  'assessment.scenarios.severity.limited': 'Ограниченный вред',
  'assessment.scenarios.severity.serious': 'Серьёзный вред',
  'assessment.scenarios.severity.grave': 'Угроза жизни или вред многим людям',
  'assessment.scenarios.imminence': 'Неотвратимость',
  'assessment.scenarios.imminence.not_imminent': 'Признаков близкой угрозы нет',
  'assessment.scenarios.imminence.months': 'Может произойти в течение месяцев',
  'assessment.scenarios.imminence.weeks': 'Может произойти в течение недель или раньше',
  'assessment.scenarios.warningSigns': 'Признаки-предупреждения',
  'assessment.scenarios.triggers': 'Провоцирующие обстоятельства',
  'assessment.scenarios.managementActions': 'Меры управления риском',
  'assessment.scenarios.typeOf': 'Сценарий {number}: вид',
  'assessment.scenarios.likelyTargetsOf': 'Сценарий {number}: вероятные цели',
  'assessment.scenarios.severityOf': 'Сценарий {number}: тяжесть',
  'assessment.scenarios.imminenceOf': 'Сценарий {number}: неотвратимость',
  'assessment.scenarios.warningSignsOf': 'Сценарий {number}: признаки-предупреждения',
  'assessment.scenarios.triggersOf': 'Сценарий {number}: провоцирующие обстоятельства',
  'assessment.scenarios.managementActionsOf': 'Сценарий {number}: меры управления риском',
  'assessment.scenarios.errors.field': 'Выберите из списка или напишите не более 4000 символов',

  'assessment.appraisal.title': 'Насколько можно полагаться на оценку',
  'assessment.appraisal.confidence': 'Общая уверенность в суждении',
  'assessment.appraisal.confidence.low': 'Низкая',
  'assessment.appraisal.confidence.medium': 'Средняя',
  'assessment.appraisal.confidence.high': 'Высокая',
  'assessment.appraisal.informationQuality': 'Качество информации',
  'assessment.appraisal.informationQualityHint':
    'Полнота и надёжность источников, включая сведения помимо слов самого человека.',
  'assessment.appraisal.limitations': 'Ограничения этой оценки',
  'assessment.appraisal.limitationsHint':
    'Недостающая информация, что не удалось проверить и как это ограничивает суждение.',
  'assessment.appraisal.indexFacts': 'Позиция человека по фактам основного преступления',
  'assessment.appraisal.indexFacts.admits': 'Признаёт их',
  'assessment.appraisal.indexFacts.partly_admits': 'Признаёт частично',
  'assessment.appraisal.indexFacts.denies': 'Отрицает их',
  'assessment.appraisal.indexFacts.not_applicable': 'Неприменимо (например, под стражей до суда)',
  'assessment.appraisal.errors.field': 'Выберите из списка или напишите не более 10 000 символов',

  'assessment.judgement.provisionalTitle': 'Ваше предварительное суждение',
  'assessment.judgement.provisionalIntro':
    'Сначала запишите собственное суждение. Ориентировочный уровень инструмента будет показан после этого, чтобы он помогал суждению, а не задавал его. Предварительное суждение сохраняется в записанном виде.',
  'assessment.judgement.provisionalLevel': 'Предварительный общий уровень',
  'assessment.judgement.provisionalOf': 'Предварительно: {judgement}',
  'assessment.judgement.recordProvisional': 'Записать предварительное суждение',
  'assessment.judgement.provisionalRecorded': 'Предварительное суждение записано {date}',
  'assessment.judgement.provisionalNone': 'Не записано',
  'assessment.judgement.withheld':
    'Ориентировочный уровень будет показан после того, как вы запишете предварительное суждение.',
  'assessment.judgement.judgementsTitle': 'Суждения',
  'assessment.judgement.judgementsIntro':
    'Запишите итоговый уровень и его обоснование для каждого исхода, о котором спрашивает инструмент.',
  'assessment.judgement.levelOf': '{judgement}: итоговый уровень',
  'assessment.judgement.rationaleOf': '{judgement}: обоснование',
  'assessment.judgement.indicativeOf': 'Ориентировочно: {level}',
  'assessment.judgement.noIndicative': 'Ориентировочного уровня нет',
  'assessment.judgement.errors.provisional':
    'Выберите предварительный уровень для каждого суждения',
  'assessment.judgement.everyRationale':
    'Обоснуйте каждое итоговое суждение, совпадает оно с ориентировочным уровнем или нет.',

  'assessment.refusal.provisional': 'Запишите предварительное суждение',
  'assessment.refusal.finalRationale': 'Обоснуйте итоговое суждение',
  'assessment.refusal.judgementLevel': '{judgement}: выберите итоговый уровень',
  'assessment.refusal.judgementRationale': '{judgement}: обоснуйте итоговый уровень',
  'assessment.refusal.scenarios':
    'Опишите каждый сценарий полностью: вид, вероятные цели, тяжесть, неотвратимость, признаки-предупреждения, провоцирующие обстоятельства и меры',
  'assessment.refusal.appraisal': 'Укажите: {field}',

  'assessment.judgement.flagRule': 'Выставлен по правилу',
  'assessment.view.warnings': 'Предупреждения, переданные вам',
  'assessment.view.warningSince': 'с',
  'assessment.triggerReview.title': 'Записать проверку по событию',
  'assessment.triggerReview.intro':
    'Событие или предупреждение требует проверки этой оценки. Запишите, меняет ли оно что-либо. Проверка — не повторная оценка: если она нужна, укажите это, и повторная оценка станет нужна сразу.',
  'assessment.triggerReview.event': 'Какое событие вы проверяете?',
  'assessment.triggerReview.noEvents': 'Для этого заключённого события не записаны.',
  'assessment.triggerReview.outcome': 'Итог',
  'assessment.triggerReview.outcome.no_change': 'Без изменений: оценка остаётся в силе',
  'assessment.triggerReview.outcome.reassess': 'Повторная оценка: нужна новая оценка',
  'assessment.triggerReview.outcome.amend': 'Изменение: оценку нужно изменить',
  'assessment.triggerReview.rationale': 'Ваши основания',
  'assessment.triggerReview.submit': 'Записать проверку',
  'assessment.triggerReview.action': 'Записать проверку по событию',
  'assessment.triggerReview.errors.event': 'Выберите проверенное событие',
  'assessment.triggerReview.errors.outcome': 'Выберите итог',
  'assessment.triggerReview.errors.rationale': 'Укажите основания, от 10 до 10 000 символов',
  'assessment.triggerReview.errors.notDue': 'Это событие не требует проверки этой оценки',
  'assessment.triggerReview.errors.already': 'Это событие уже проверено',
  'assessment.done.reviewed': 'Проверка по событию записана.',
  'assessment.caseFactors.title': 'Индивидуальные факторы',
  'assessment.caseFactors.hint':
    'Факторы, которых нет в инструменте, но которые важны для этого человека, с доказательствами и оценкой. Они входят в формулировку случая и никогда не меняют ориентировочный уровень. Чтобы добавить фактор, заполните ещё одну строку.',
  'assessment.caseFactors.legend': 'Фактор {number}',
  'assessment.caseFactors.factorTitle': 'Фактор',
  'assessment.caseFactors.description': 'Как он касается этого человека',
  'assessment.caseFactors.evidence': 'Доказательства',
  'assessment.caseFactors.ratingLegend': 'Оценка',
  'assessment.caseFactors.rating.low': 'Низкая',
  'assessment.caseFactors.rating.moderate': 'Средняя',
  'assessment.caseFactors.rating.high': 'Высокая',
  'assessment.caseFactors.fieldOf': 'Фактор {number}: {field}',
  'assessment.caseFactors.errors.field':
    'Укажите для каждого фактора название, описание, доказательства и оценку',
  'assessment.view.judgements': 'Суждения',
  'assessment.view.provisional': 'Предварительное суждение',
  'assessment.view.appraisal': 'Надёжность оценки',
};
