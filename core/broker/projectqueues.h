#pragma once

#include "base/result.h"
#include "broker/message.h"

namespace Conflux::Model {
class Project;
struct Queue;
}

namespace Conflux::Broker {

class MessageBroker;

// A `queues/<id>.json` document as the broker's configuration. Errors (code
// "broker_invalid_queue") name the document file and field.
Result<QueueConfig> queueConfig(const Model::Queue &queue);

// Declares (or reconfigures) every queue of the project, dead-letter queues first. Queues
// the broker has but the project no longer lists are left alone, with their messages.
// Returns every problem at once in the error's details.
Result<void> declareProjectQueues(MessageBroker &broker, const Model::Project &project);

} // namespace Conflux::Broker
