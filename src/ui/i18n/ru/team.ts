import type { Message } from '../catalogue.js';
import type { enTeam } from '../en/team.js';

/** Russian: every key of en/team.ts. */
export const ruTeam: Record<keyof typeof enTeam, Message> = {
  'team.links.title': 'Командная работа',
  'team.links.contributions': 'Сведения от других специалистов',
  'team.links.assign': 'Назначить психолога для подписи',
  'team.links.doubleRating': 'Независимые оценки и согласование',
  'team.links.agreedEarlier':
    'Оценки этой редакции согласованы двумя оценщиками в исправляемой редакции: доказательства можно уточнить, а оценку изменить только при повторной оценке.',

  'team.contributions.title': 'Сведения от других специалистов',
  'team.contributions.intro':
    'Наблюдения других сотрудников, которые оценщик учитывает. Сведения сами по себе никогда не меняют оценку.',
  'team.contributions.none': 'Пока нет сведений, доступных вам.',
  'team.contributions.by': '{name} ({discipline}), наблюдение от {date}',
  'team.contributions.add': 'Добавить сведения',
  'team.contributions.closed': 'Сведения добавляются, пока оценка составляется.',
  'team.contributions.observation': 'Что вы наблюдали',
  'team.contributions.observationHint':
    'Факты, которые вы видели или о которых вам сообщили, с датами. Не указывайте религию, этническую принадлежность или политические взгляды как риск.',
  'team.contributions.source': 'Источник',
  'team.contributions.source.observation': 'Собственное наблюдение',
  'team.contributions.source.interview': 'Беседа с человеком',
  'team.contributions.source.records': 'Документы',
  'team.contributions.source.incident_report': 'Рапорт об инциденте',
  'team.contributions.source.programme_session': 'Занятие программы',
  'team.contributions.source.intelligence': 'Оперативная информация',
  'team.contributions.source.other': 'Другое',
  'team.contributions.observedOn': 'Дата наблюдения (ГГГГ-ММ-ДД)',
  'team.contributions.confidentiality': 'Кто может читать',
  'team.contributions.confidentiality.standard': 'Все, кто читает оценку',
  'team.contributions.confidentiality.security':
    'Закрытые сведения безопасности: клиническая группа и сотрудники безопасности',
  'team.contributions.confidentiality.clinical': 'Клинические: только клиническая группа',
  'team.contributions.submit': 'Добавить сведения',
  'team.contributions.done': 'Ваши сведения добавлены.',
  'team.contributions.errors.observation': 'Опишите, что вы наблюдали (от 3 до 5000 символов)',
  'team.contributions.errors.source': 'Выберите источник',
  'team.contributions.errors.observedOn':
    'Укажите дату наблюдения в формате ГГГГ-ММ-ДД, не в будущем',
  'team.contributions.errors.confidentiality': 'Выберите, кто может читать',
  'team.contributions.errors.notPermitted': 'Можно выбрать только класс, который читает ваша роль',

  'team.assign.title': 'Назначить психолога для подписи',
  'team.assign.intro':
    'Если в учреждении нет второго психолога, назначьте психолога другого учреждения подписать только эту оценку. Он увидит эту оценку и ничего другого о заключённом.',
  'team.assign.current': 'Назначения',
  'team.assign.none': 'У этой оценки нет назначений.',
  'team.assign.state.live': 'Действует',
  'team.assign.state.used': 'Использовано',
  'team.assign.state.revoked': 'Отозвано',
  'team.assign.assignedBy': 'Назначил(а) {name}, {date}',
  'team.assign.revoke': 'Отозвать',
  'team.assign.assignee': 'Психолог',
  'team.assign.noCandidates': 'Нет психолога другого учреждения, который может её подписать.',
  'team.assign.reason': 'Почему учреждение не может подписать само',
  'team.assign.submit': 'Назначить',
  'team.assign.done': 'Психолог назначен.',
  'team.assign.revoked': 'Назначение отозвано.',
  'team.assign.errors.assignee': 'Выберите психолога',
  'team.assign.errors.reason': 'Укажите причину (от 3 до 500 символов)',
  'team.assign.errors.live': 'У этой оценки уже есть действующее назначение: сначала отзовите его',

  'team.double.title': 'Независимые оценки и согласование',
  'team.double.rating':
    'Эту оценку независимо составляют два оценщика. Вы видите только свои оценки, пока оба не отправят свои.',
  'team.double.yours': 'Ваши оценки',
  'team.double.notRated': 'Ещё не оценено',
  'team.double.save': 'Сохранить мои оценки',
  'team.double.submit': 'Отправить мои оценки',
  'team.double.submitted': 'Вы отправили свои оценки. Ожидается второй оценщик.',
  'team.double.compare': 'Где оценки расходятся',
  'team.double.noDifferences': 'Оба оценщика оценили все пункты одинаково.',
  'team.double.agreed': {
    one: '{count} пункт оценён одинаково',
    few: '{count} пункта оценены одинаково',
    many: '{count} пунктов оценены одинаково',
    other: '{count} пункта оценены одинаково',
  },
  'team.double.item': 'Пункт',
  'team.double.lead': 'Ведущий оценщик',
  'team.double.second': 'Второй оценщик',
  'team.double.consensus': 'Записать согласованную оценку',
  'team.double.consensusHint':
    'Согласованная оценка каждого пункта становится оценкой в документе. Пункты, оценённые одинаково, сохраняют эту оценку.',
  'team.double.rationale': 'Как были разрешены расхождения',
  'team.double.record': 'Записать согласование',
  'team.double.recorded': 'Согласование записал(а) {name}',
  'team.double.done': 'Сохранено.',
  'team.double.errors.rationale':
    'Укажите, как были разрешены расхождения (от 3 до 10000 символов)',
  'team.double.errors.rating': 'Выберите оценку для каждого пункта',
  'team.double.errors.empty': 'Оцените хотя бы один пункт перед отправкой',
};
