import type { Message } from '../catalogue.js';
import type { adminEn } from '../en/admin.js';

/** Russian: the administrator's pages. */
export const adminRu: Record<keyof typeof adminEn, Message> = {
  'nav.users': 'Пользователи',
  'nav.facilities': 'Учреждения',
  'nav.ruleSets': 'Наборы правил',

  'admin.home.title': 'Администрирование',
  'admin.home.accounts': 'Учётные записи',
  'admin.home.allAccounts': 'Все учётные записи',

  'admin.role.psychologist': 'Психолог',
  'admin.role.pve_inspector': 'Инспектор по профилактике экстремизма',
  'admin.role.security_officer': 'Сотрудник безопасности',
  'admin.role.supervisor': 'Руководитель',
  'admin.role.administrator': 'Администратор',

  'admin.users.title': 'Пользователи',
  'admin.users.caption': 'Учётные записи по имени пользователя',
  'admin.users.newTitle': 'Создать учётную запись',
  'admin.users.editTitle': 'Изменить роли и учреждения',
  'admin.users.username': 'Имя пользователя',
  'admin.users.usernameHint':
    'От 3 до 64 строчных латинских букв, цифр, точек, дефисов или подчёркиваний',
  'admin.users.displayName': 'Имя',
  'admin.users.roles': 'Роли',
  'admin.users.separation':
    'Учётная запись — либо администратор, либо с ролями по делам, но не то и другое: иначе тот, кто управляет учётными записями, мог бы дать себе доступ к делам. Для каждой роли создайте отдельную запись.',
  'admin.users.separationSupervisor':
    'В этом сервисе руководитель, который утверждает программы и проверяет экстренный доступ, не совмещает другие роли по делам.',
  'admin.users.facilities': 'Учреждения',
  'admin.users.facilitiesHint':
    'Пользователь работает с заключёнными, которые содержатся в этих учреждениях',
  'admin.users.noFacilities': 'Нет',
  'admin.users.password': 'Пароль',
  'admin.users.newPassword': 'Новый пароль',
  'admin.users.passwordHint':
    'Не менее 12 символов, не распространённый пароль, без имени пользователя и имени. Передайте его пользователю лично.',
  'admin.users.create': 'Создать учётную запись',
  'admin.users.save': 'Сохранить изменения',
  'admin.users.state': 'Состояние',
  'admin.users.active': 'Действует',
  'admin.users.inactive': 'Отключена',
  'admin.users.created': 'Создана',
  'admin.users.endsSessions':
    'Изменение ролей, учреждений или пароля и отключение учётной записи сразу завершают сеансы пользователя: ему нужно войти снова.',
  'admin.users.resetPassword': 'Сбросить пароль',
  'admin.users.ownPassword':
    'Свой пароль вы меняете в своей учётной записи, указав текущий. Сбросить его может другой администратор.',
  'admin.users.deactivate': 'Отключить учётную запись',
  'admin.users.reactivate': 'Включить учётную запись',
  'admin.users.reactivateHint': 'Пользователь снова сможет войти со своим паролем.',
  'admin.users.errors.username':
    'Укажите имя пользователя из 3–64 строчных латинских букв, цифр, точек, дефисов или подчёркиваний',
  'admin.users.errors.usernameTaken': 'Это имя пользователя уже занято',
  'admin.users.errors.displayName': 'Укажите имя (не более 200 символов)',
  'admin.users.errors.password': 'Укажите пароль',
  'admin.users.errors.roles':
    'Выберите хотя бы одну роль; администратор не совмещается с ролями по делам',
  'admin.users.errors.facilities': 'Выберите учреждения из списка',

  'admin.certify.title': 'Сертификаты',
  'admin.certify.intro':
    'Проводить оценку по инструменту, который этого требует, и подписывать такие оценки могут только психологи, сертифицированные по нему, до указанной даты.',
  'admin.certify.none': 'Сертификатов нет.',
  'admin.certify.add': 'Записать сертификат',
  'admin.certify.instrument': 'Инструмент',
  'admin.certify.choose': 'Выберите инструмент',
  'admin.certify.validUntil': 'Действует до',
  'admin.certify.validUntilHint': 'Последний день действия',
  'admin.certify.current': 'Действует',
  'admin.certify.expired': 'Истёк',
  'admin.certify.button': 'Записать сертификат',
  'admin.certify.issuingBody': 'Кем выдан (необязательно)',
  'admin.certify.documentReference': 'Номер сертификата или документа (необязательно)',
  'admin.certify.externalHint':
    'Здесь записывается сертификат, полученный вне этой системы. Сертификаты, полученные на учебных случаях, система записывает сама, вместе с подтверждающими данными.',
  'admin.certify.source': 'Источник',
  'admin.certify.earned': 'Получен на учебных случаях',
  'admin.certify.external': 'Записан администратором',
  'admin.certify.errors.instrument': 'Выберите инструмент из списка',
  'admin.certify.errors.validUntil': 'Укажите дату окончания действия',

  'admin.facilities.title': 'Учреждения',
  'admin.facilities.newTitle': 'Добавить учреждение',
  'admin.facilities.code': 'Код',
  'admin.facilities.codeHint':
    'От 2 до 32 заглавных латинских букв, цифр или дефисов, например KZ-ALM-01',
  'admin.facilities.name': 'Название',
  'admin.facilities.region': 'Регион',
  'admin.facilities.create': 'Добавить учреждение',
  'admin.facilities.errors.code': 'Укажите код из 2–32 заглавных латинских букв, цифр или дефисов',
  'admin.facilities.errors.codeTaken': 'Учреждение с таким кодом уже есть',
  'admin.facilities.errors.name': 'Укажите название (не более 200 символов)',
  'admin.facilities.errors.region': 'Регион: не более 200 символов',

  'admin.ruleSets.title': 'Наборы правил',
  'admin.ruleSets.intro':
    'Инструменты и каталоги мероприятий, импортированные из файлов наборов правил; каждая версия неизменна. Новая версия публикуется добавлением её файла и импортом.',
  'admin.ruleSets.instrument': 'Инструмент',
  'admin.ruleSets.catalogue': 'Каталог мероприятий',
  'admin.ruleSets.versionsOf': 'Версии {key}',
  'admin.ruleSets.version': 'Версия',
  'admin.ruleSets.imported': 'Импортирована',
  'admin.ruleSets.sha256': 'SHA-256',
  'admin.ruleSets.status.active': 'Действует',
  'admin.ruleSets.status.retired': 'Выведена',
  'admin.ruleSets.status.draft': 'Черновик',
  'admin.ruleSets.compare': 'Сравнить версии {key}',
  'admin.ruleSets.diffTitle': 'Сравнение версий {key}',
  'admin.ruleSets.versionLabel': 'Версия {version}',
  'admin.ruleSets.notInstrument': 'Сравниваются только версии инструментов.',
  'admin.ruleSets.sameVersion': 'Выберите две разные версии.',
  'admin.ruleSets.noChanges': 'Версии совпадают.',
  'admin.ruleSets.added': 'Добавлено',
  'admin.ruleSets.removed': 'Удалено',
  'admin.ruleSets.changed': 'Изменённые пункты',
  'admin.ruleSets.item': 'Пункт {code}',
  'admin.ruleSets.domains': 'Разделы',
  'admin.ruleSets.domain': 'Раздел {code}',
  'admin.ruleSets.rules': 'Правила',
  'admin.ruleSets.settings': 'Прочие параметры',
};
