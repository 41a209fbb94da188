/** Code systems and a few real codes per kind of fact, so the synthetic records read like claims. */
export const SYSTEMS = {
  npi: 'http://hl7.org/fhir/sid/us-npi',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  hcpcs: 'https://bluebutton.cms.gov/resources/codesystem/hcpcs',
  cpt: 'http://www.ama-assn.org/go/cpt',
  ndc: 'http://hl7.org/fhir/sid/ndc',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  claimType: 'http://terminology.hl7.org/CodeSystem/claim-type',
  eobType: 'https://bluebutton.cms.gov/resources/codesystem/eob-type',
  bbVariables: 'https://bluebutton.cms.gov/resources/variables',
  c4bbIdentifierType: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType',
  c4bbAdjudication: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication',
  c4bbClaimCareTeamRole: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole',
  c4bbClaimDiagnosisType: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType',
  c4bbSupportingInfoType: 'http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType',
  c4bbPayeeType: 'http://terminology.hl7.org/CodeSystem/payeetype',
  adjudication: 'http://terminology.hl7.org/CodeSystem/adjudication',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticServiceSection: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  usCoreDocumentCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  carePlanCategory: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category',
  goalAchievement: 'http://terminology.hl7.org/CodeSystem/goal-achievement',
  race: 'urn:oid:2.16.840.1.113883.6.238',
} as const;

export const PROFILES = {
  patient: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient',
  coverage: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage',
  payer: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization',
  practitioner: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner',
  organization: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Organization',
  location: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-location',
  professional: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician',
  inpatient: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional',
  outpatient: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Outpatient-Institutional',
  pharmacy: 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Pharmacy',
  condition: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns',
  observationLab: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab',
  allergy: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-allergyintolerance',
  procedure: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-procedure',
  immunization: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-immunization',
  medicationRequest: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationrequest',
  encounter: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter',
  diagnosticReport: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-diagnosticreport-lab',
  documentReference: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference',
  carePlan: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan',
  careTeam: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam',
  goal: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-goal',
} as const;

export const GIVEN_NAMES = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'Maria', 'Wei', 'Aisha', 'Carlos', 'Nguyen', 'Fatima'];
export const FAMILY_NAMES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor'];
export const CITIES = [
  { city: 'Raleigh', postalCode: '27601' },
  { city: 'Durham', postalCode: '27701' },
  { city: 'Charlotte', postalCode: '28202' },
  { city: 'Greensboro', postalCode: '27401' },
  { city: 'Asheville', postalCode: '28801' },
];

export const DIAGNOSES = [
  { code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
  { code: 'I10', display: 'Essential (primary) hypertension' },
  { code: 'J44.9', display: 'Chronic obstructive pulmonary disease, unspecified' },
  { code: 'M17.11', display: 'Unilateral primary osteoarthritis, right knee' },
  { code: 'E78.5', display: 'Hyperlipidemia, unspecified' },
  { code: 'N18.3', display: 'Chronic kidney disease, stage 3 (moderate)' },
  { code: 'I48.91', display: 'Unspecified atrial fibrillation' },
  { code: 'F32.9', display: 'Major depressive disorder, single episode, unspecified' },
];

export interface Service {
  readonly code: string;
  readonly display: string;
  readonly price: readonly [number, number];
}

export const PROFESSIONAL_SERVICES: readonly Service[] = [
  { code: '99213', display: 'Office or other outpatient visit, established patient, low complexity', price: [90, 160] },
  { code: '99214', display: 'Office or other outpatient visit, established patient, moderate complexity', price: [130, 230] },
  { code: '93000', display: 'Electrocardiogram, routine, with interpretation and report', price: [20, 60] },
  { code: '80053', display: 'Comprehensive metabolic panel', price: [10, 45] },
  { code: '71046', display: 'Radiologic examination, chest; 2 views', price: [30, 90] },
  { code: '36415', display: 'Collection of venous blood by venipuncture', price: [3, 12] },
];

export const DME_ITEMS: readonly Service[] = [
  { code: 'E0601', display: 'Continuous positive airway pressure (CPAP) device', price: [80, 200] },
  { code: 'E0114', display: 'Crutches, underarm, other than wood', price: [20, 60] },
  { code: 'A4253', display: 'Blood glucose test or reagent strips, per 50 strips', price: [15, 45] },
];

export const INSTITUTIONAL_SERVICES: readonly Service[] = [
  { code: '0120', display: 'Room & board - semi-private', price: [800, 2400] },
  { code: '0250', display: 'Pharmacy - general', price: [50, 600] },
  { code: '0300', display: 'Laboratory - general', price: [40, 400] },
  { code: '0450', display: 'Emergency room - general', price: [300, 1500] },
  { code: '0551', display: 'Skilled nursing - visit charge', price: [120, 300] },
  { code: '0651', display: 'Hospice - routine home care', price: [150, 250] },
];

export const DRUGS = [
  { ndc: '00093-7214-01', rxnorm: '860975', display: 'Metformin hydrochloride 500 MG Oral Tablet', price: [4, 20] },
  { ndc: '00378-1800-01', rxnorm: '314076', display: 'Lisinopril 10 MG Oral Tablet', price: [3, 15] },
  { ndc: '00071-0155-23', rxnorm: '617312', display: 'Atorvastatin 20 MG Oral Tablet', price: [6, 40] },
  { ndc: '00006-0277-31', rxnorm: '1364430', display: 'Apixaban 5 MG Oral Tablet', price: [250, 520] },
  { ndc: '00173-0682-20', rxnorm: '896209', display: 'Fluticasone/salmeterol inhalation powder', price: [180, 380] },
];

export const OBSERVATIONS = [
  { code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', range: [5.2, 9.5] },
  { code: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma', unit: 'mg/dL', range: [140, 260] },
  { code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma', unit: 'mg/dL', range: [0.6, 2.1] },
];

export const CONDITIONS = [
  { snomed: '44054006', icd10: 'E11.9', display: 'Diabetes mellitus type 2' },
  { snomed: '38341003', icd10: 'I10', display: 'Hypertensive disorder' },
  { snomed: '13644009', icd10: 'E78.5', display: 'Hypercholesterolemia' },
];

export const VACCINES = [
  { code: '140', display: 'Influenza, seasonal, injectable, preservative free' },
  { code: '208', display: 'COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose' },
  { code: '133', display: 'Pneumococcal conjugate PCV 13' },
];

export const ALLERGIES = [
  { code: '91936005', display: 'Allergy to penicillin' },
  { code: '300913006', display: 'Shellfish allergy' },
];
