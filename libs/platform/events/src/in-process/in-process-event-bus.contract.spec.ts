import { describeEventBusContract } from '../event-bus.contract';
import { InProcessEventBus } from './in-process-event-bus';

describeEventBusContract(InProcessEventBus.name, () => ({
  open: async () => new InProcessEventBus({ handlerBackoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 } }),
  durable: false,
  compactsOnWrite: true,
  expiresOnTime: true,
  settleMs: 20,
}));
