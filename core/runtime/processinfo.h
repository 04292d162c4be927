#pragma once

namespace Conflux {
class MetricsRegistry;
}

namespace Conflux::Runtime {


// Refreshes the standard process_* metrics (resident memory, CPU seconds, open file
// descriptors) from /proc on Linux; elsewhere it does nothing.
void updateProcessMetrics(MetricsRegistry &metrics);

} // namespace Conflux::Runtime
