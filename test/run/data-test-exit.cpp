// RUN: %run_fix_test %s %t -- -- -isystem %S/../checks/Inputs
//
// A recorder thread stops at the first reading out of range; the sampler,
// on the calling thread, goes on loading readings onto the full conveyor
// and blocks. The comparison tests the data: the sampler pushes no such
// marker. The fix stops the conveyor on the recorder's way out.
#include "queues.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

struct Reading {
  int sensor;
  double celsius;
};

static Reading sample(int i) { return {i % 3, i == 5 ? -60.0 : 20.0 + i}; }

int main() {
  Conveyor<Reading> readings(4);
  int recorded = 0;
  std::thread recorder([&] {
    while (std::optional<Reading> r = readings.unload()) {
      if (r->celsius < -40.0) {
        std::printf("sensor %d out of range\n", r->sensor);
        return;
      }
      ++recorded;
    }
  });
  for (int i = 0; i < 100; ++i)
    if (!readings.load(sample(i)))
      break;
  readings.stop();
  recorder.join();
  std::printf("recorded %d readings\n", recorded);
  return 0;
}
