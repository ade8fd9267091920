#include "service/internal/file_watch.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ethrec::service {

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FilesFingerprint(const std::vector<std::string>& files, const std::string& dir) {
  std::string text;
  for (const std::string& path : files) absl::StrAppend(&text, path, "\n", ReadFileOrEmpty(path), "\n");
  if (dir.empty()) return text;
  std::error_code error;  // an unreadable directory counts as empty
  std::vector<std::filesystem::path> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) names.push_back(entry.path());
  std::sort(names.begin(), names.end());
  for (const std::filesystem::path& f : names) {
    absl::StrAppend(&text, f.filename().string(), "\n", ReadFileOrEmpty(f.string()), "\n");
  }
  return text;
}

PeriodicCheck::PeriodicCheck(absl::Duration period, std::function<void()> check)
    : period_(period), check_(std::move(check)), thread_([this] { Run(); }) {}

PeriodicCheck::~PeriodicCheck() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void PeriodicCheck::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), period_)) {
    mu_.Unlock();
    check_();
    mu_.Lock();
  }
}

}  // namespace ethrec::service
