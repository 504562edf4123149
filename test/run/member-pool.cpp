// RUN: %run_fix_test %s %t -- -- -I%S/../checks/Inputs
//
// A pool class whose constructor starts the workers and whose submit() feeds
// them. Every worker fails its first job and leaves; main's next submit()
// sleeps in push() forever. The fix closes the queue on the worker's exit
// (submit() then returns at once on the closed queue, as it is).
#include "queues.h"

#include <thread>
#include <vector>

static bool run(int job) { return job < 0; } // Every job fails.

class Pool {
public:
  explicit Pool(int workers) : jobs_(2) {
    for (int w = 0; w < workers; ++w)
      threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    jobs_.close();
    for (auto &t : threads_)
      t.join();
  }
  void submit(int job) { jobs_.push(job); }

private:
  void work() {
    int job;
    while (jobs_.pop(job))
      if (!run(job))
        return;
  }
  BoundedQueue<int> jobs_;
  std::vector<std::thread> threads_;
};

int main() {
  Pool pool(2);
  for (int i = 0; i < 100; ++i)
    pool.submit(i);
  return 0;
}
// CHECK-FIXES: {{^}}  void submit(int job) { jobs_.push(job); }{{$}}
// CHECK-FIXES: {{^}}      if (!run(job)) {{[{]}}{{$}}
// CHECK-FIXES-NEXT: {{^}}        jobs_.close();{{$}}
// CHECK-FIXES-NEXT: {{^}}        return;{{$}}
