// Counts every gRPC call in Metrics (transport "grpc"): its full method,
// status code and time from the call's start to its status.
#ifndef ETHREC_SERVICE_METRICS_INTERCEPTOR_H_
#define ETHREC_SERVICE_METRICS_INTERCEPTOR_H_

#include <memory>

#include <grpcpp/support/server_interceptor.h>

#include "service/metrics.h"

namespace ethrec::service {

// For grpc::ServerBuilder::experimental().SetInterceptorCreators; `metrics`
// (not owned) must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewMetricsInterceptorFactory(Metrics* metrics);

}  // namespace ethrec::service

#endif  // ETHREC_SERVICE_METRICS_INTERCEPTOR_H_
