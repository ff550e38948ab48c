import type { Message } from '../catalogue.js';
import type { recordsEn } from '../en/records.js';

/** Russian: the security officer's prisoner-record pages. */
export const recordsRu: Record<keyof typeof recordsEn, Message> = {
  'records.cancel': 'Отмена',
  'records.chooseFacility': 'Выберите учреждение',
  'records.home.title': 'Личные дела',
  'records.home.find': 'Найти дело заключённого',
  'records.home.intro':
    'Исправить дело, перевести заключённого или записать событие можно со страницы заключённого.',
  'records.actions.edit': 'Исправить дело',
  'records.actions.transfer': 'Перевести в другое учреждение',
  'records.actions.event': 'Записать событие',
  'records.actions.summary': 'Сводка риска и расписание программы',

  'records.field.prisonNumber': 'Номер заключённого',
  'records.field.givenName': 'Имя',
  'records.field.familyName': 'Фамилия',
  'records.field.dateOfBirth': 'Дата рождения',
  'records.field.sex': 'Пол',
  'records.field.legalStatus': 'Правовой статус',
  'records.field.facility': 'Учреждение',
  'records.field.expectedReleaseDate': 'Ожидаемая дата освобождения',
  'records.hint.prisonNumber': 'От 2 до 32 букв, цифр, точек, дефисов или косых черт',
  'records.hint.legalStatus': 'Лицо под стражей до суда не осуждено и считается невиновным',
  'records.hint.optional': 'Необязательно',
  'records.errors.prisonNumber': 'Укажите номер из 2–32 букв, цифр, точек, дефисов или косых черт',
  'records.errors.givenName': 'Укажите имя (не более 100 символов)',
  'records.errors.familyName': 'Укажите фамилию (не более 100 символов)',
  'records.errors.dateOfBirth': 'Укажите прошедшую дату рождения',
  'records.errors.sex': 'Выберите пол',
  'records.errors.legalStatus': 'Выберите правовой статус',
  'records.errors.facility': 'Выберите одно из ваших учреждений',
  'records.errors.release': 'Укажите ожидаемую дату освобождения позже даты рождения',
  'records.errors.numberTaken': 'Этот номер уже записан: найдите заключённого через поиск',
  'records.errors.numberUnavailable':
    'Этот номер нельзя использовать для нового дела. Если заключённый содержится в другом месте, дело переводит это учреждение.',

  'records.new.title': 'Записать заключённого',
  'records.new.minimal':
    'В деле записывается только необходимое. Полей для религии, национальности или политических взглядов нет: они никогда не записываются (Правило Манделы 2).',
  'records.new.button': 'Записать заключённого',

  'records.edit.title': 'Исправить дело',
  'records.edit.button': 'Сохранить исправление',
  'records.edit.conflict':
    'Дело было изменено {time}, после того как вы его открыли. Ваше исправление не сохранено.',
  'records.edit.compare': 'Ваш вариант и дело сейчас',
  'records.edit.field': 'Поле',
  'records.edit.yours': 'Ваш вариант',
  'records.edit.theirs': 'Дело сейчас',
  'records.edit.differs': 'Различается',
  'records.edit.conflictHint':
    'В форме ниже — ваш вариант. Сверьте его с делом и сохраните ещё раз или отмените, чтобы оставить дело как есть.',
  'records.edit.saveAgain': 'Сохранить мой вариант',

  'records.actions.discharge': 'Оформить освобождение',
  'records.actions.readmit': 'Вернуть в списочный состав',
  'records.discharge.title': 'Оформить освобождение',
  'records.discharge.intro':
    'Освобождение исключает осуждённого из списочного состава. Переоценки и пересмотры плана больше не назначаются; ответы на жалобы и обжалования по-прежнему обязательны, а при освобождении в тот же день нужна официальная копия.',
  'records.discharge.date': 'Дата освобождения',
  'records.discharge.reasonLabel': 'Основание',
  'records.discharge.reason.released': 'Освобождён',
  'records.discharge.reason.transferred_to_another_service': 'Передан в другую службу',
  'records.discharge.reason.deceased': 'Умер',
  'records.discharge.reason.other': 'Другое',
  'records.discharge.note': 'Примечание (необязательно)',
  'records.discharge.noteHint': 'До 2000 символов. Хранится в деле; в журнал аудита не попадает.',
  'records.discharge.button': 'Оформить освобождение',
  'records.discharge.errors.date':
    'Укажите дату освобождения: не в будущем и не раньше создания записи',
  'records.discharge.errors.reason': 'Выберите основание',
  'records.discharge.errors.note': 'Примечание должно быть не длиннее 2000 символов',
  'records.discharge.errors.version':
    'Запись изменили, пока вы работали. Проверьте её и отправьте снова.',
  'records.discharged.title': 'Освобождён',
  'records.discharged.text': 'Исключён из списочного состава {date} ({reason}).',
  'records.readmit.title': 'Вернуть в списочный состав',
  'records.readmit.intro':
    'Осуждённый снова включается в списочный состав этого учреждения: освобождение оформлено ошибочно или он вернулся под стражу.',
  'records.readmit.date': 'Дата возвращения',
  'records.readmit.note': 'Основание (необязательно)',
  'records.readmit.noteHint': 'До 1000 символов. Хранится в истории учреждений.',
  'records.readmit.button': 'Вернуть в списочный состав',
  'records.readmit.errors.date': 'Укажите дату возвращения: не в будущем и не раньше освобождения',
  'records.readmit.errors.note': 'Основание должно быть не длиннее 1000 символов',
  'records.transfer.title': 'Перевод в другое учреждение',
  'records.transfer.checkTitle': 'Проверьте перевод',
  'records.transfer.from': 'Сейчас содержится: {facility}.',
  'records.transfer.fromLabel': 'Откуда',
  'records.transfer.intro':
    'История учреждений сохраняет каждый перевод. Перевод делает обязательными переоценки по оценкам заключённого — в принимающем учреждении.',
  'records.transfer.to': 'Куда',
  'records.transfer.reason': 'Причина перевода',
  'records.transfer.reasonHint': 'Не менее 5 символов. Сохраняется в истории учреждений.',
  'records.transfer.continue': 'Продолжить',
  'records.transfer.consequences':
    'После перевода дело ведёт принимающее учреждение. Если оно не ваше, вы перестанете видеть дело.',
  'records.transfer.confirm': 'Подтвердить перевод',
  'records.transfer.errors.facility': 'Выберите принимающее учреждение',
  'records.transfer.errors.reason': 'Укажите причину (от 5 до 1000 символов)',
  'records.transferred.title': 'Перевод записан',
  'records.transferred.text': '{name} ({number}) теперь содержится: {facility}.',
  'records.transferred.due':
    'Сотрудники принимающего учреждения видят переоценки и пересмотры, которые требует перевод.',
  'records.transferred.open': 'Открыть дело',
  'records.transferred.outside': 'Принимающее учреждение не ваше: теперь дело ведёт оно.',

  'records.event.title': 'Записать событие',
  'records.event.intro':
    'Событие может потребовать переоценки или пересмотра программы по утверждённым оценкам заключённого. Вы увидите, что именно.',
  'records.event.type': 'Что произошло',
  'records.event.hint.serious_incident': 'Насилие, угроза или серьёзное нарушение порядка',
  'records.event.hint.new_information':
    'Оперативные или иные сведения, которые могут изменить оценку',
  'records.event.hint.legal_status_change':
    'Вынесен приговор, решена апелляция, изменено обвинение',
  'records.event.hint.assessment_challenged': 'Заключённый или его адвокат оспаривает оценку',
  'records.event.hint.intelligence_received':
    'Сведения от службы безопасности или оперативной службы; вносите только то, что может знать команда',
  'records.event.hint.intervention_refused':
    'Отказ от запланированного мероприятия или выход из него',
  'records.event.hint.disciplinary_finding': 'Дисциплинарное разбирательство установило нарушение',
  'records.event.hint.self_harm': 'Акт самоповреждения; медицинская служба уведомляется отдельно',
  'records.event.hint.hunger_strike':
    'Отказ от пищи в знак протеста; медицинская служба уведомляется отдельно',
  'records.event.hint.separation_order':
    'Решение об отделении от других (см. ограничительные меры)',
  'records.event.hint.release_date_change':
    'Ожидаемая дата освобождения изменилась (апелляция, сокращение срока, новый приговор)',
  'records.event.date': 'Дата',
  'records.event.time': 'Время',
  'records.event.timeHint': 'Например, 14:30',
  'records.event.note': 'Что произошло',
  'records.event.noteHint': 'Факты для сотрудников, которые проводят переоценку. Необязательно.',
  'records.event.button': 'Записать событие',
  'records.event.recordedTitle': 'Событие записано',
  'records.event.recordedPanel': 'Событие записано',
  'records.event.makesDue': 'Что теперь требуется',
  'records.event.what': 'Работа',
  'records.event.reassess': 'Переоценка',
  'records.event.review': 'Пересмотр',
  'records.event.nothingDue': 'По текущим утверждённым оценкам заключённого ничего не требуется.',
  'records.event.all': 'Все события заключённого',
  'records.event.errors.type': 'Выберите, что произошло',
  'records.event.errors.date': 'Укажите дату события',
  'records.event.errors.time': 'Укажите время события, например 14:30',
  'records.event.errors.when': 'Укажите дату и время не в будущем',
  'records.event.errors.note': 'Не более 4000 символов',

  'records.summary.title': 'Сводка риска',
  'records.summary.risk': 'Последняя утверждённая оценка риска',
  'records.summary.level': 'Итоговый уровень риска',
  'records.summary.approved': 'Утверждена',
  'records.summary.nextReview': 'Следующий пересмотр',
  'records.summary.recommendations': 'Рекомендации по безопасности',
  'records.summary.noRecommendations': 'Нет',
  'records.summary.noRisk': 'Для заключённого не утверждена ни одна оценка риска.',
  'records.summary.plan': 'Программа дерадикализации: что, где и когда',
  'records.summary.planLink': 'Открыть программу',
  'records.summary.noPlan': 'У заключённого нет открытой программы.',
};
