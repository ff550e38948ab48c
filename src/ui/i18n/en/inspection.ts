/** English: inspection, statistics and restrictive measures (Mandela Rules 10, 36-46, 83-85). */
export const inspectionEn = {
  'admin.role.inspector': 'Inspector',
};
