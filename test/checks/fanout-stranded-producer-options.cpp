// RUN: %check_clang_tidy -check-suffix=CONFIGURED %s fanout-stranded-producer %t -- \
// RUN:   -config="{CheckOptions: {fanout-stranded-producer.QueueTypes: 'vendor::Pipe', \
// RUN:     fanout-stranded-producer.BlockingPushMethods: 'vendor::Pipe::write', \
// RUN:     fanout-stranded-producer.BlockingPopMethods: 'read', \
// RUN:     fanout-stranded-producer.CloseMethods: 'hangup'}}" -- -std=c++20 -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=GLOBAL %s fanout-stranded-producer %t -- \
// RUN:   -config="{CheckOptions: {QueueTypes: 'vendor::Pipe', BlockingPushMethods: 'write', \
// RUN:     BlockingPopMethods: 'read', CloseMethods: 'hangup'}}" -- -std=c++20 -isystem %S/Inputs
// RUN: %check_clang_tidy -check-suffix=NOINFER %s fanout-stranded-producer %t -- \
// RUN:   -config="{CheckOptions: {fanout-stranded-producer.InferQueues: false}}" -- -std=c++20 -isystem %S/Inputs
// RUN: not %clang_tidy_plugin -checks='-*,fanout-*' %s \
// RUN:   -config="{CheckOptions: {fanout-stranded-producer.BlockingPushMethods: 'write;not a name', \
// RUN:     fanout-stranded-producer.InferQueues: maybe}}" -- -std=c++20 -isystem %S/Inputs 2>&1 \
// RUN:   | FileCheck %s -check-prefix=BAD-CONFIG
// BAD-CONFIG-DAG: error: invalid configuration value for option 'fanout-stranded-producer.BlockingPushMethods': 'not a name' is not a method name or Type::method [clang-tidy-config]
// BAD-CONFIG-DAG: error: invalid configuration value for option 'fanout-stranded-producer.InferQueues': 'maybe' is not a boolean (true or false) [clang-tidy-config]

#include "queues.h"
#include <thread>

bool process(int item);

namespace vendor {
// A queue implemented out of line (a C library underneath): nothing to infer
// from, so it is taught through the options.
class Pipe {
public:
  explicit Pipe(int capacity);
  bool write(int value);
  bool read(int &value);
  void hangup();
};
} // namespace vendor

void configured(int n) {
  vendor::Pipe pipe(16);
  std::thread consumer([&] {
    int v;
    while (pipe.read(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    pipe.write(i);
  pipe.hangup();
  consumer.join();
}
// CHECK-MESSAGES-GLOBAL: :[[@LINE-4]]:10: warning: producer can block forever in 'write' on bounded queue 'pipe'
// CHECK-MESSAGES-CONFIGURED: :[[@LINE-5]]:10: warning: producer can block forever in 'write' on bounded queue 'pipe' (vendor::Pipe): every consumer can exit without closing it, and nothing else wakes the producer [fanout-stranded-producer]

void inferred(int n) {
  BoundedQueue<int> q(4);
  std::thread consumer([&] {
    int v;
    while (q.pop(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    q.push(i);
  q.close();
  consumer.join();
}
// CHECK-MESSAGES-GLOBAL: :[[@LINE-4]]:7: warning: producer can block forever in 'push' on bounded queue 'q'
// CHECK-MESSAGES-CONFIGURED: :[[@LINE-5]]:7: warning: producer can block forever in 'push' on bounded queue 'q' (BoundedQueue<int>, capacity 4)
