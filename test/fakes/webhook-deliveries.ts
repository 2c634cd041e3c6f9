// Webhooks a platform fake sends on its own, as the platform does once an admin has set one up: each event goes
// to every subscriber in the background, one delivery after the other as a platform's job queue sends them (so
// a topic's creation arrives before its first post), and a test can wait for all of them and read how they went.
export interface WebhookDeliveries<Subscriber, Label extends object> {
  subscribe(subscriber: Subscriber): void;
  /** Queues `send` for every subscriber; each delivery is recorded as `label` with the status answered. */
  publish(label: Label, send: (subscriber: Subscriber) => Promise<{ status: number }>): void;
  /** Waits for every queued delivery and answers them in order (status 0: the receiver could not be reached). */
  settled(): Promise<(Label & { status: number })[]>;
}

export function createWebhookDeliveries<Subscriber, Label extends object>(): WebhookDeliveries<Subscriber, Label> {
  const subscribers: Subscriber[] = [];
  let deliveries: Promise<Label & { status: number }>[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  return {
    subscribe: (subscriber) => void subscribers.push(subscriber),
    publish(label, send) {
      for (const subscriber of subscribers) {
        const delivery = queue.then(() => send(subscriber))
          .then((answer) => ({ ...label, status: answer.status }), () => ({ ...label, status: 0 }));
        deliveries.push(delivery);
        queue = delivery;
      }
    },
    async settled() {
      const settled = await Promise.all(deliveries);
      deliveries = [];
      return settled;
    },
  };
}
