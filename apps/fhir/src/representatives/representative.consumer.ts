import { Injectable } from '@nestjs/common';
import { parseRepresentativeRecordedEvent, issuesText } from '@payer-access/client-status';
import { EventRejectedError, type IncomingEvent } from '@payer-access/events';
import { ResourceRepository, UnservableResourceError } from '../store/resource.repository';
import { relatedPersonOf } from './related-person';

/**
 * Personal Representatives recorded at consent (`authorization.representative.recorded.v1`)
 * become RelatedPerson resources in the member's compartment, under the id the authorization
 * service chose and put in the token's `fhirUser`. Until the event is applied that id reads as
 * 404, like any resource the store does not hold. Applying an event again changes nothing; an
 * event that breaks the schema is refused for good (dead-lettered), never half-applied.
 */
@Injectable()
export class RepresentativeConsumer {
  constructor(private readonly repository: ResourceRepository) {}

  /** @returns whether the RelatedPerson was created now (false: it already existed). */
  async apply(event: Pick<IncomingEvent, 'key' | 'value'>): Promise<boolean> {
    const parsed = parseRepresentativeRecordedEvent(event.value);
    if (!parsed.ok) throw new EventRejectedError('invalid_event', issuesText(parsed.rejection.issues));
    // The key is what compaction keeps one event per: it must be the resource's id.
    if (event.key !== parsed.event.relatedPersonId) throw new EventRejectedError('invalid_event', 'key must be the relatedPersonId');
    try {
      return (await this.repository.createIfAbsent([relatedPersonOf(parsed.event)])) > 0;
    } catch (error) {
      if (error instanceof UnservableResourceError) throw new EventRejectedError('invalid_event', error.message);
      throw error;
    }
  }
}
