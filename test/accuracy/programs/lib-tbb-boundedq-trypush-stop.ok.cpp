// accuracy-family: stranded-producer
// accuracy-origin: VladyslavUsenko/basalt src/rs_t265_record.cpp (commit 0f3b2b5: recorder save workers poll tbb::concurrent_bounded_queue with try_pop while !stop_workers; try_push for queues that must never block the device thread), re-expressed as a correct variant with the producer's try_push loop watching the stop flag
// accuracy-shape: queue=tbb::concurrent_bounded_queue spawner=std::thread producer=thread-lambda consumer=thread-lambda exit=return wait=join stop=flag-rechecked-around-nonblocking-push
// accuracy-flags: -ltbb
//
// A sensor recorder: the device thread hands IMU samples to two save
// workers through a tbb::concurrent_bounded_queue bounded with
// set_capacity. A save worker that cannot write (the disk is full) sets the
// stop flag and returns without draining. The device thread never blocks:
// it offers each sample with try_push and, while the queue stays full,
// re-checks the stop flag between attempts -- so the workers' early exit
// ends it too. Correct; a checker must not ask for a close that tbb's queue
// does not have (abort() would wake only threads already waiting).
#include <oneapi/tbb/concurrent_queue.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct ImuSample {
  std::int64_t t_ns = 0;
  double accel[3] = {0, 0, 0};
  double gyro[3] = {0, 0, 0};
};

class SaveErrors {
public:
  void report(const std::string &what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (first_.empty())
      first_ = what;
  }
  std::string first() {
    std::lock_guard<std::mutex> lock(mutex_);
    return first_;
  }

private:
  std::mutex mutex_;
  std::string first_;
};

// /media/usb is full: no sample can be written.
static bool appendCsvLine(const ImuSample &sample) { return sample.t_ns < 0; }

int main() {
  tbb::concurrent_bounded_queue<ImuSample> imuQueue;
  imuQueue.set_capacity(16);
  std::atomic<bool> stopWorkers{false};
  SaveErrors errors;

  std::vector<std::thread> savers;
  for (int i = 0; i < 2; ++i)
    savers.emplace_back([&] {
      ImuSample sample;
      while (!stopWorkers) {
        if (!imuQueue.try_pop(sample)) {
          std::this_thread::yield();
          continue;
        }
        if (!appendCsvLine(sample)) {
          errors.report("imu0/data.csv: no space left on device");
          stopWorkers = true;
          return;
        }
      }
    });

  std::thread device([&] {
    for (std::int64_t n = 0; n < 100000; ++n) {
      ImuSample sample;
      sample.t_ns = n * 5000000;
      sample.accel[2] = 9.81;
      while (!imuQueue.try_push(sample)) {
        if (stopWorkers)
          return; // nobody saves any more
        std::this_thread::yield();
      }
    }
  });

  device.join();
  stopWorkers = true;
  for (auto &s : savers)
    s.join();

  std::string error = errors.first();
  if (!error.empty()) {
    std::printf("recording stopped: %s\n", error.c_str());
    return 0;
  }
  std::printf("recording complete\n");
  return 0;
}
