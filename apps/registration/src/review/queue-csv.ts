import { stringify } from 'csv-stringify/sync';
import type { ReviewQueueItemDto } from './dto/review.dto';

const COLUMNS: [keyof ReviewQueueItemDto | 'businessDaysWaiting', string][] = [
  ['id', 'id'],
  ['kind', 'kind'],
  ['status', 'status'],
  ['name', 'name'],
  ['companyName', 'company'],
  ['submittedAt', 'submitted_at'],
  ['ageDays', 'age_days'],
  ['businessDaysWaiting', 'business_days_waiting'],
  ['overdue', 'overdue'],
  ['informationRequestedAt', 'information_requested_at'],
  ['reviewRequestedAt', 'review_requested_at'],
  ['changeRequestedAt', 'change_requested_at'],
];

/**
 * The queue as RFC 4180 CSV for spreadsheets. Names and companies are the registrants' own text:
 * a cell starting with = + - @ (or a tab or carriage return) would run as a formula where the file
 * is opened, so csv-stringify's `escape_formulas` prefixes it with an apostrophe.
 */
export function queueCsv(items: ReviewQueueItemDto[]): string {
  const rows = items.map((item) =>
    COLUMNS.map(([field]) => {
      if (field === 'businessDaysWaiting') return item.reviewClock?.businessDaysWaiting ?? '';
      const value = item[field];
      return value === null || value === undefined ? '' : typeof value === 'object' ? '' : value;
    }),
  );
  return stringify(rows, { header: true, columns: COLUMNS.map(([, header]) => header), escape_formulas: true, record_delimiter: 'windows', cast: { boolean: (value) => String(value) } });
}
