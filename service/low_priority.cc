#include "service/low_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace ethrec::service {

bool LowerThisThreadsPriority() {
  // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value
  // alone (setpriority(2), "BUGS": threads do not share it).
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  return setpriority(PRIO_PROCESS, tid, kBulkNice) == 0;
}

}  // namespace ethrec::service
