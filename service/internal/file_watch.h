// What the two TLS listeners share to notice changed certificate files
// without a restart: a file's text, a fingerprint of a set of files and a
// directory of CRLs, and a thread that checks every few seconds.
#ifndef ETHREC_SERVICE_INTERNAL_FILE_WATCH_H_
#define ETHREC_SERVICE_INTERNAL_FILE_WATCH_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ethrec::service {

// The file's bytes ("" when it cannot be read).
std::string ReadFileOrEmpty(const std::string& path);

// Each of `files` (path and text), then each file in `dir` ("": none) in
// name order (name and text). Any change to their content, or a file added
// to or removed from `dir`, changes it.
std::string FilesFingerprint(const std::vector<std::string>& files, const std::string& dir);

// Calls `check` every `period` on its own thread until destroyed. The
// destructor waits for a call under way to return, so `check` may use
// whatever outlives this object.
class PeriodicCheck {
 public:
  PeriodicCheck(absl::Duration period, std::function<void()> check);
  ~PeriodicCheck();
  PeriodicCheck(const PeriodicCheck&) = delete;
  PeriodicCheck& operator=(const PeriodicCheck&) = delete;

 private:
  void Run();

  const absl::Duration period_;
  const std::function<void()> check_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_INTERNAL_FILE_WATCH_H_
