/** English: the privacy notice and the accessibility statement, and their footer links. */
export const aboutEn = {
  'footer.links': 'About this service',
  'footer.privacy': 'Privacy notice',
  'footer.accessibility': 'Accessibility statement',
  'about.notStated': 'The operator of this service has not stated this yet.',
  'about.contact.heading': 'Contact',

  'privacy.title': 'Privacy notice',
  'privacy.intro':
    'This notice says what this casework service records about prisoners and staff, why, who may see it, how long it is kept, and what rights prisoners have over it.',
  'privacy.controller.heading': 'Who is responsible',
  'privacy.processes.heading': 'What the service records',
  'privacy.processes.intro': 'About each prisoner whose case is managed here:',
  'privacy.processes.particulars':
    'particulars: name, prison number, date of birth, sex, legal status, facility and expected release date;',
  'privacy.processes.assessments':
    'risk and needs assessments: ratings with their evidence and sources, the final judgement and its reasons; the clinical formulation is read by psychologists only;',
  'privacy.processes.plans':
    'disengagement plans: goals, interventions and consent to them, sessions attended, reviews and release preparations;',
  'privacy.processes.measures':
    'restrictive measures: separation or solitary confinement with their legal basis, daily hours out of cell and of meaningful contact, health-care visits and reviews;',
  'privacy.processes.rights':
    'the prisoner’s own requests: subject-access requests, challenges and their answers, and disclosures made to others;',
  'privacy.processes.staff':
    'about staff: name, username, roles, facilities, certifications and sign-in records;',
  'privacy.processes.audit':
    'an audit trail of who read or changed which record, when and why (without the content of the record).',
  'privacy.processes.never':
    'The service never records religion, ethnicity or political opinion as a risk indicator.',
  'privacy.lawfulBasis.heading': 'Why, and on what lawful basis',
  'privacy.access.heading': 'Who may see it',
  'privacy.access.text':
    'Staff see only the prisoners of their facilities, and only the parts their role needs. Inspectors appointed to a facility read its records for the period of their appointment. Every disclosure outside the service is recorded with its recipient, purpose and lawful basis.',
  'privacy.rights.heading': 'Prisoners’ rights',
  'privacy.rights.copy':
    'A prisoner may ask for a copy of every record about them. The request is answered within {days} days.',
  'privacy.rights.redactions':
    'Parts of the copy are withheld only on a recorded legal ground, and the copy lists what was withheld and why.',
  'privacy.rights.challenge':
    'A prisoner may challenge an assessment or a plan. Someone who did not write it answers within {days} days; an upheld challenge makes an amendment due.',
  'privacy.rights.disclosures':
    'The copy lists the disclosures made to others about the prisoner, unless one is withheld on a recorded legal ground.',
  'privacy.retention.heading': 'How long records are kept',

  'accessibility.title': 'Accessibility statement',
  'accessibility.intro':
    'This statement covers the web pages of this casework service. We want as many people as possible to be able to use it.',
  'accessibility.target.heading': 'What we aim for',
  'accessibility.target.text':
    'The pages aim to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA.',
  'accessibility.tested.heading': 'How the pages are tested',
  'accessibility.tested.axe':
    'Each page is checked automatically with the axe rules for WCAG 2.1 A and AA in a browser, in each of its states (for example with form errors shown).',
  'accessibility.tested.noJs':
    'Every task can be done with JavaScript switched off; the automatic checks run with and without it.',
  'accessibility.tested.forms':
    'A form that cannot be accepted names each field at fault in a summary at the top, linked to the field.',
  'accessibility.tested.languages':
    'All text is available in English and Russian, and each page declares its language.',
  'accessibility.limitations.heading': 'Known limitations',
  'accessibility.limitations.manual':
    'The pages have not yet been tested by people who use screen readers, screen magnifiers or voice control; automatic checks find only some problems.',
  'accessibility.limitations.pdf':
    'Downloaded PDF copies have not been checked with assistive technology. The same content is available as a web page (the print view).',
  'accessibility.limitations.chart':
    'The chart of risk over time is a picture; the table beside it holds the same figures.',
  'accessibility.limitations.timeout':
    'Without JavaScript there is no warning before an idle session ends, so the time cannot be extended from the page.',
  'accessibility.report.heading': 'Reporting a problem',
  'accessibility.report.text':
    'If you find a part of the service you cannot use, tell us which page and what went wrong:',
};
