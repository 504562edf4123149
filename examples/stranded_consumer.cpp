// fanout-stranded-consumer: the producer gives up on a bad record and
// returns without closing the queue; the consumers wait in pop() for ever and
// the joins below never return.
#include "bounded_queue.h"

#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

static bool readRecord(int i, int &out) {
  out = i;
  return i != 42; // Record 42 is corrupt.
}

int main() {
  BoundedQueue<int> records(16);
  std::thread reader([&] {
    for (int i = 0; i < 100; ++i) {
      int record;
      if (!readRecord(i, record))
        return;
      records.push(record);
    }
    records.close();
  });
  std::vector<std::thread> parsers;
  long sum = 0;
  std::mutex sumMutex;
  for (int w = 0; w < 3; ++w)
    parsers.emplace_back([&] {
      int record;
      while (records.pop(record)) {
        std::lock_guard<std::mutex> lock(sumMutex);
        sum += record;
      }
    });
  reader.join();
  for (auto &t : parsers)
    t.join();
  std::printf("sum %ld\n", sum);
  return 0;
}
