// A C++ port of Kubernetes' registry.(*Store).DeleteCollection (v1.18), the
// code behind the kube-apiserver leak in docs/mission.md. A distributor
// pushes item indices into a bounded queue; workers delete items and, on the
// first failure, report it and return. When etcd is down every worker
// returns, the distributor sleeps in push() forever holding `items`, and
// distributor.join() never returns.
//
// Build and run:  clang++ -std=c++20 -pthread deletecollection.cpp && ./a.out
// (it hangs); then `clang-tidy --load=fanout-tidy.so
// -checks='-*,fanout-*' --fix deletecollection.cpp -- -std=c++20` and run it
// again: it reports the failures and exits.
#include "bounded_queue.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

struct Item {
  std::string name;
};

// Stands in for the storage delete; etcd is down, so every call fails.
static bool deleteItem(const Item &item) {
  (void)item;
  return false;
}

static int deleteCollection(const std::vector<Item> &items, int workersNumber) {
  BoundedQueue<std::size_t> toProcess(2 * workersNumber);
  BoundedQueue<std::string> errs(workersNumber + 1);

  std::thread distributor([&] {
    for (std::size_t i = 0; i < items.size(); ++i)
      toProcess.push(i);
    toProcess.close();
  });

  std::vector<std::thread> workers;
  for (int w = 0; w < workersNumber; ++w)
    workers.emplace_back([&] {
      std::size_t index;
      while (toProcess.pop(index)) {
        if (!deleteItem(items[index])) {
          errs.push("failed to delete " + items[index].name);
          return;
        }
      }
    });
  for (auto &worker : workers)
    worker.join();
  distributor.join();

  errs.close();
  int failures = 0;
  std::string err;
  while (errs.pop(err))
    ++failures;
  return failures;
}

int main() {
  std::vector<Item> items;
  for (int i = 0; i < 1000; ++i)
    items.push_back({"pod-" + std::to_string(i)});
  int failures = deleteCollection(items, 4);
  std::printf("%d deletes failed\n", failures);
  return 0;
}
