#pragma once

#include "connectors/connector.h"
#include "connectors/registry.h"

#include <memory>

namespace Conflux::Broker {
class MessageBroker;
}

// Queues as endpoints (protocols conflux_broker and rabbitmq): a sync job or workflow reads
// the messages of a queue as records and writes records as messages. This lives in the
// runtime because connectors may not depend on the broker (DESIGN: dependency direction).
//
// Endpoint configuration (docs/connectors/queues.md):
//   queue                       required: the queue to read from and publish to
//   topic                       writes publish to this topic (routed by the queues' bindings)
//                               instead of to `queue`
//   wait_ms                     read: how long to wait for the first message of a page (default 1000)
//   visibility_timeout_seconds  read: lease of a page until it is acknowledged (default: the queue's)
//   envelope                    read: records are whole messages (message_id, headers, payload, ...)
//                               instead of the payloads (default false)
//   declare                     rabbitmq: declare the queue (a standard quorum queue) when
//                               missing (default true)
//   name_prefix                 rabbitmq: the prefix of the broker's names (default "conflux.")
//
// Reading is at-least-once: a page is acknowledged only after the page sink returned, so a
// reader that dies mid-page leaves its messages to be delivered again when the lease ends.
// Records are the messages' JSON payloads; writes publish one message per record, a
// write() call as one batch (all or none). Upsert and delete are not offered.
//
// conflux_broker endpoints use the node's embedded broker (no URL); rabbitmq endpoints
// connect to `url` (amqp://host:port/vhost) with the endpoint's basic authentication.

namespace Conflux::Runtime {

// `embedded` (may be null: no conflux_broker endpoints then) must outlive the connectors.
void registerQueueConnectors(Connectors::ConnectorRegistry &registry, Broker::MessageBroker *embedded);

Result<std::unique_ptr<Connectors::Connector>> createQueueConnector(const Connectors::EndpointSpec &endpoint,
                                                                    const Connectors::ConnectorContext &context,
                                                                    Broker::MessageBroker *embedded);

} // namespace Conflux::Runtime
