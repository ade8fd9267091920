// Test-only fake of ethrecd's FindingsService (and of TaxonomyService's
// GetTaxonomy, which the CLI asks for category labels), served in-process on
// a loopback port, so the CLI's findings client and commands can be tested
// without the real server. It keeps the service's contract where the CLI
// relies on it: pages with next_page_token, the default statuses, roles,
// field violations on errors. It records what it was asked.
#ifndef ETHREC_TESTS_TESTING_FAKE_FINDINGS_SERVER_H_
#define ETHREC_TESTS_TESTING_FAKE_FINDINGS_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ethrec/v1/findings_service.grpc.pb.h"
#include "ethrec/v1/taxonomy_service.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace ethrec::testing {

inline constexpr char kDataQualityOfficer[] = "data-quality-officer";

// An INVALID_ARGUMENT status whose BadRequest names `field`.
inline grpc::Status FieldError(const std::string& field, const std::string& message) {
  google::rpc::BadRequest bad;
  google::rpc::BadRequest::FieldViolation* v = bad.add_field_violations();
  v->set_field(field);
  v->set_description(message);
  google::rpc::Status details;
  details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  details.set_message(message);
  details.add_details()->PackFrom(bad);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message, details.SerializeAsString());
}

class FakeFindingsService final : public v1::FindingsService::Service {
 public:
  // Who called, as call metadata said.
  struct Caller {
    std::string agency;
    std::string role;
  };

  // What the fake answers from. Set before the first call.
  std::vector<v1::Finding> findings;  // by finding_id
  v1::SummarizeFindingsResponse summary;
  // Every ListFindings page has a next_page_token (a server that never ends).
  bool endless = false;

  std::vector<v1::ListFindingsRequest> list_requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return list_requests_;
  }
  std::vector<Caller> callers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return callers_;
  }

  grpc::Status ListFindings(grpc::ServerContext* context, const v1::ListFindingsRequest* request,
                            v1::ListFindingsResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    Record(context);
    list_requests_.push_back(*request);
    if (endless) {
      response->set_next_page_token("more");
      return grpc::Status::OK;
    }
    int64_t after = 0;
    if (!request->page_token().empty() && !absl::SimpleAtoi(request->page_token(), &after)) {
      return FieldError("page_token", "page_token is not from a previous response");
    }
    const int size = request->page_size() == 0 ? 100 : std::min(request->page_size(), 1000);
    for (const v1::Finding& f : findings) {
      if (f.finding_id() <= after || !Matches(*request, f)) continue;
      if (response->findings_size() == size) {
        response->set_next_page_token(absl::StrCat(response->findings(size - 1).finding_id()));
        break;
      }
      *response->add_findings() = f;
    }
    return grpc::Status::OK;
  }

  grpc::Status GetFinding(grpc::ServerContext* context, const v1::GetFindingRequest* request,
                          v1::Finding* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    Record(context);
    for (const v1::Finding& f : findings) {
      if (f.finding_id() == request->finding_id()) {
        *response = f;
        return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no finding ", request->finding_id()));
  }

  grpc::Status SummarizeFindings(grpc::ServerContext* context, const v1::SummarizeFindingsRequest* request,
                                 v1::SummarizeFindingsResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    const Caller caller = Record(context);
    if (caller.role != kDataQualityOfficer && !request->agency().empty() && request->agency() != caller.agency) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "only your own agency's findings");
    }
    *response = summary;
    return grpc::Status::OK;
  }

  grpc::Status ReviewFinding(grpc::ServerContext* context, const v1::ReviewFindingRequest* request,
                             v1::Finding* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    const Caller caller = Record(context);
    if (caller.role != kDataQualityOfficer) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "only a data-quality-officer may review");
    }
    if (request->action() == v1::ReviewFindingRequest::RESOLVE && request->note().empty()) {
      return FieldError("note", "a note is required to resolve");
    }
    for (v1::Finding& f : findings) {
      if (f.finding_id() != request->finding_id()) continue;
      if (request->action() == v1::ReviewFindingRequest::ACKNOWLEDGE && f.status() != v1::OPEN) {
        return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "only an OPEN finding can be acknowledged");
      }
      const bool acknowledge = request->action() == v1::ReviewFindingRequest::ACKNOWLEDGE;
      const bool resolve = request->action() == v1::ReviewFindingRequest::RESOLVE;
      f.set_status(acknowledge ? v1::ACKNOWLEDGED : resolve ? v1::RESOLVED : v1::OPEN);
      v1::FindingEvent* e = f.add_history();
      e->set_action(acknowledge ? v1::FindingEvent::ACKNOWLEDGED
                    : resolve   ? v1::FindingEvent::RESOLVED
                                : v1::FindingEvent::REOPENED);
      e->mutable_time()->set_seconds(1795780800);  // 2026-11-27T12:00:00Z
      e->set_by_agency(caller.agency);
      e->set_by_role(caller.role);
      e->set_note(request->note());
      *response = f;
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("no finding ", request->finding_id()));
  }

 private:
  static std::string Metadata(const grpc::ServerContext* context, const char* key) {
    auto it = context->client_metadata().find(key);
    return it == context->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
  }

  Caller Record(const grpc::ServerContext* context) {
    Caller caller{Metadata(context, "x-ethrec-agency"), Metadata(context, "x-ethrec-role")};
    callers_.push_back(caller);
    return caller;
  }

  static bool Matches(const v1::ListFindingsRequest& r, const v1::Finding& f) {
    auto contains = [](const auto& list, int value) {
      return std::find(list.begin(), list.end(), value) != list.end();
    };
    if (!r.agency().empty() && f.agency() != r.agency()) return false;
    if (!r.kinds().empty() && !contains(r.kinds(), f.kind())) return false;
    if (f.severity() < r.min_severity()) return false;
    if (r.statuses().empty()) return f.status() == v1::OPEN || f.status() == v1::ACKNOWLEDGED;
    return contains(r.statuses(), f.status());
  }

  mutable std::mutex mu_;
  std::vector<v1::ListFindingsRequest> list_requests_;
  std::vector<Caller> callers_;
};

// GetTaxonomy with labels for the categories findings_fixtures.h uses.
class FakeTaxonomyService final : public v1::TaxonomyService::Service {
 public:
  grpc::Status GetTaxonomy(grpc::ServerContext*, const v1::GetTaxonomyRequest*,
                           v1::GetTaxonomyResponse* response) override {
    for (auto [category, label] : {std::pair(v1::WHITE_OTHER, "White: Other White"),
                                   std::pair(v1::WHITE_ROMA, "White: Roma")}) {
      v1::CategoryInfo* info = response->add_categories();
      info->set_category(category);
      info->set_label_full(label);
    }
    return grpc::Status::OK;
  }
};

// The fakes, listening on a free loopback port until destroyed.
class FakeFindingsServer {
 public:
  FakeFindingsServer() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&findings);
    builder.RegisterService(&taxonomy_);
    server_ = builder.BuildAndStart();
  }
  ~FakeFindingsServer() { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  FakeFindingsService findings;

 private:
  FakeTaxonomyService taxonomy_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace ethrec::testing

#endif  // ETHREC_TESTS_TESTING_FAKE_FINDINGS_SERVER_H_
