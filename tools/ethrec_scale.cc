// ethrec_scale: loads synthetic children into an ethrecd through the API, as
// agencies would send their extracts, and times what data-quality officers
// then ask. Loopback only; bounded in children and time.
//
// Each child gets five observations, one from each of five agencies (school,
// gp, police, csc, camhs), sent agency by agency in RecordObservations
// batches under that agency's identity. The data are synthetic (NHS numbers
// on the 999 test range) and carry the kinds of differences findings are
// about: practitioner-assumed and mismatched GP codes, officer-observed
// police codes, outdated and missing children's services records.
//
// Usage: ethrec_scale --server=127.0.0.1:PORT[,127.0.0.1:PORT2...] [--children=100000]
//        [--batch=1000] [--concurrency=2] [--seconds=1800] [--queries=true]
// Prints one line per measurement and a final "RESULT key=value ..." line.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/records_service.grpc.pb.h"
#include "mapping/observation.h"

ABSL_FLAG(std::vector<std::string>, server, {},
          "ethrecd addresses, comma-separated: 127.0.0.1:PORT or [::1]:PORT (loopback only). With several "
          "(replicas of one database), the calls in flight are spread over them: call slot i writes "
          "through address i mod n");
ABSL_FLAG(int, children, 100000, "synthetic children to load (at most 1,000,000)");
ABSL_FLAG(int, batch, 1000, "observations per RecordObservations call");
ABSL_FLAG(int, concurrency, 2, "calls in flight");
ABSL_FLAG(double, seconds, 1800, "time limit for the load; stops early (and says so) when reached");
ABSL_FLAG(bool, queries, true, "time SummarizeFindings and the first ListFindings page after the load");

namespace ethrec {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A child's identity in each code list: what the agencies would record if
// they all asked the child.
struct Truth {
  const char* dfe;
  const char* nhs;
  const char* ic;  // what an officer might perceive
  const char* text;
};
constexpr Truth kTruths[] = {
    {"WBRI", "A", "IC1", "White British"},       {"WIRI", "B", "IC1", "Irish"},
    {"WROR", "C", "IC2", "Roma"},                {"WEEU", "C", "IC1", "Polish"},
    {"BSOM", "N", "IC3", "Somali"},              {"BCRB", "M", "IC3", "Black Caribbean"},
    {"AIND", "H", "IC4", "Indian"},              {"APKN", "J", "IC4", "British Pakistani"},
    {"ABAN", "K", "IC4", "Bangladeshi"},         {"MWBC", "D", "IC3", "Mixed White and Black Caribbean"},
    {"MWAS", "F", "IC1", "mixed white & asian"}, {"OARA", "S", "IC6", "Arab"},
    {"CHNE", "R", "IC5", "Chinese"},             {"OKRD", "S", "IC6", "Kurdish"},
};
constexpr int kNumTruths = sizeof(kTruths) / sizeof(kTruths[0]);
const char* const kAgencies[] = {"school", "gp", "police", "csc", "camhs"};

// A deterministic hash of (child, salt) for choosing variations.
uint64_t Mix(uint64_t x, uint64_t salt) {
  x += salt * 0x9E3779B97F4A7C15ull;
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void Fill(int agency, int child, v1::ObservationInput* o) {
  const Truth& t = kTruths[Mix(child, 1) % kNumTruths];
  const uint64_t roll = Mix(child, 2 + agency) % 100;
  o->mutable_child()->set_nhs_number(SyntheticNhsNumber(child));
  o->set_record_id(absl::StrCat(kAgencies[agency], "-", child));
  o->set_record_version(1);
  int64_t day = 0;
  switch (agency) {
    case 0:  // school: the child's own answer
      o->set_system("dfe");
      o->set_code(t.dfe);
      o->set_supplied_by(v1::SELF);
      day = 30;
      break;
    case 1:  // gp: mostly from a parent; sometimes assumed (and then often wrong)
      o->set_system("nhs-ethnic-category");
      o->set_code(roll < 80 ? t.nhs : "A");
      o->set_supplied_by(roll < 80 ? v1::PARENT_OR_CARER : v1::PRACTITIONER);
      day = 60;
      break;
    case 2:  // police: what an officer perceived
      o->set_system("police-ic");
      o->set_code(t.ic);
      o->set_supplied_by(v1::OFFICER_OBSERVED);
      day = 90;
      break;
    case 3:  // csc: mostly right; some old records, some never asked
      o->set_system("dfe");
      if (roll < 70) {
        o->set_code(t.dfe);
        o->set_supplied_by(v1::SELF);
        day = 20;
      } else if (roll < 85) {
        o->set_code(kTruths[Mix(child, 9) % kNumTruths].dfe);
        o->set_supplied_by(v1::SELF);
        day = 1;
      } else {
        o->set_code("NOBT");
        o->set_supplied_by(v1::UNKNOWN);
        day = 10;
      }
      break;
    default:  // camhs: free text in the child's words
      o->set_text(t.text);
      o->set_supplied_by(v1::SELF);
      day = 25;
      break;
  }
  o->mutable_recorded_at()->set_seconds(1767225600 + day * 86400 + child % 86400);
}

std::unique_ptr<grpc::ClientContext> As(const std::string& agency, const std::string& role) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("x-ethrec-agency", agency);
  context->AddMetadata("x-ethrec-role", role);
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
  return context;
}

int Run() {
  const std::vector<std::string> servers = absl::GetFlag(FLAGS_server);
  if (servers.empty()) {
    std::fprintf(stderr, "ethrec_scale: --server is required\n");
    return 2;
  }
  for (const std::string& server : servers) {
    if (!(absl::StartsWith(server, "127.") || absl::StartsWith(server, "[::1]:") ||
          absl::StartsWith(server, "localhost:"))) {
      std::fprintf(stderr, "ethrec_scale: --server %s is not a loopback address (127.0.0.1:PORT or [::1]:PORT)\n",
                   server.c_str());
      return 2;
    }
  }
  const int children = absl::GetFlag(FLAGS_children);
  const int batch = absl::GetFlag(FLAGS_batch);
  if (children < 1 || children > 1000000 || batch < 1 || batch > 1000) {
    std::fprintf(stderr, "ethrec_scale: --children must be 1..1000000 and --batch 1..1000\n");
    return 2;
  }
  std::vector<std::unique_ptr<v1::RecordsService::Stub>> records;
  for (const std::string& server : servers) {
    records.push_back(v1::RecordsService::NewStub(grpc::CreateChannel(server, grpc::InsecureChannelCredentials())));
  }
  // Queries go to the first address.
  auto findings = v1::FindingsService::NewStub(grpc::CreateChannel(servers.front(), grpc::InsecureChannelCredentials()));

  // Work items: (agency, first child), agency by agency as extracts arrive.
  std::vector<std::pair<int, int>> work;
  for (int a = 0; a < 5; ++a) {
    for (int c = 0; c < children; c += batch) work.emplace_back(a, c);
  }
  std::atomic<size_t> next{0};
  std::atomic<int64_t> rows{0};
  std::atomic<bool> out_of_time{false};
  std::mutex error_mu;
  std::string first_error;
  const double limit = absl::GetFlag(FLAGS_seconds);
  const Clock::time_point start = Clock::now();
  auto worker = [&](v1::RecordsService::Stub* replica) {
    for (size_t i = next++; i < work.size(); i = next++) {
      if (Since(start) > limit) {
        out_of_time = true;
        return;
      }
      const auto [agency, first] = work[i];
      v1::RecordObservationsRequest request;
      request.set_view(v1::BASIC);  // a bulk load, as `ethrec import` sends it
      for (int c = first; c < std::min(children, first + batch); ++c) Fill(agency, c, request.add_observations());
      v1::RecordObservationsResponse response;
      grpc::Status status =
          replica->RecordObservations(As(kAgencies[agency], "record-system").get(), request, &response);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.empty()) first_error = status.error_message();
        return;
      }
      rows += request.observations_size();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_concurrency)); ++i) {
    threads.emplace_back(worker, records[i % records.size()].get());
  }
  for (std::thread& t : threads) t.join();
  const double load_seconds = Since(start);
  if (!first_error.empty()) {
    std::fprintf(stderr, "ethrec_scale: a write failed: %s\n", first_error.c_str());
    return 1;
  }
  if (out_of_time) {
    std::fprintf(stderr, "ethrec_scale: stopped at the --seconds limit after %lld rows\n",
                 static_cast<long long>(rows.load()));
    return 1;
  }
  std::printf("load: %lld observations (%d children x 5 agencies) in %.1f s through %zu server(s): %.0f rows/s\n",
              static_cast<long long>(rows.load()), children, load_seconds, servers.size(),
              rows.load() / load_seconds);
  std::string result = absl::StrCat("RESULT children=", children, " servers=", servers.size(), " rows=", rows.load(),
                                    " load_s=", load_seconds, " rows_per_s=", rows.load() / load_seconds);

  if (absl::GetFlag(FLAGS_queries)) {
    // Each query five times; the slowest and the median are reported.
    auto time_it = [](auto&& call) {
      std::vector<double> t;
      for (int i = 0; i < 5; ++i) {
        const Clock::time_point s = Clock::now();
        if (!call()) return -1.0;
        t.push_back(Since(s));
      }
      std::sort(t.begin(), t.end());
      return t[2];
    };
    v1::SummarizeFindingsResponse summary;
    const double summarize = time_it([&] {
      summary.Clear();
      grpc::Status s = findings->SummarizeFindings(As("partnership", "data-quality-officer").get(), {}, &summary);
      if (!s.ok()) std::fprintf(stderr, "SummarizeFindings: %s\n", s.error_message().c_str());
      return s.ok();
    });
    v1::ListFindingsResponse page;
    const double list = time_it([&] {
      page.Clear();
      v1::ListFindingsRequest request;
      request.set_page_size(100);
      grpc::Status s = findings->ListFindings(As("partnership", "data-quality-officer").get(), request, &page);
      if (!s.ok()) std::fprintf(stderr, "ListFindings: %s\n", s.error_message().c_str());
      return s.ok();
    });
    v1::ListFindingsResponse filtered;
    const double list_filtered = time_it([&] {
      filtered.Clear();
      v1::ListFindingsRequest request;
      request.set_page_size(100);
      request.set_agency("csc");
      request.add_kinds(v1::MISSING);
      grpc::Status s = findings->ListFindings(As("partnership", "data-quality-officer").get(), request, &filtered);
      return s.ok();
    });
    if (summarize < 0 || list < 0 || list_filtered < 0) return 1;
    int64_t open = 0;
    for (const v1::FindingCount& c : summary.counts()) open += c.count();
    std::printf("SummarizeFindings: %.1f ms (median of 5); %lld children, %lld findings not cleared\n",
                summarize * 1e3, static_cast<long long>(summary.children()), static_cast<long long>(open));
    std::printf("ListFindings first page (100): %.1f ms; filtered (csc, MISSING): %.1f ms\n", list * 1e3,
                list_filtered * 1e3);
    absl::StrAppend(&result, " summarize_ms=", summarize * 1e3, " list_first_page_ms=", list * 1e3,
                    " list_filtered_ms=", list_filtered * 1e3, " findings=", open);
  }
  std::printf("%s\n", result.c_str());
  return 0;
}

}  // namespace
}  // namespace ethrec

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return ethrec::Run();
}
