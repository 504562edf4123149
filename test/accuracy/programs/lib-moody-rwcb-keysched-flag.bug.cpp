// accuracy-family: stranded-producer
// accuracy-origin: greenfrogs/emp-tool emp-tool/utils/mitccrh.h (commit 5f79489: ks_worker fills a moodycamel::BlockingReaderWriterCircularBuffer with wait_enqueue while a global flag is true; ~MITCCRH only clears the flag), re-expressed
// accuracy-shape: queue=moodycamel::BlockingReaderWriterCircularBuffer spawner=std::thread producer=free-function consumer=calling-thread exit=loop-condition wait=join stop=flag-checked-before-blocking-push
//
// A garbler precomputes AES key schedules on a background thread and hands
// them over through a BlockingReaderWriterCircularBuffer, which has no
// close. The worker loops "while (running)" and enqueues each window of 64
// schedules (more than the 32-slot buffer) with the blocking wait_enqueue,
// so it looks at the flag only between windows. The garbling loop stops as soon as a gate fails
// (here the very first: the wire labels do not match). The destructor then
// clears the flag and joins, but the worker is asleep inside wait_enqueue
// on a full buffer and never looks at the flag again.
#include <readerwriterqueue/readerwritercircularbuffer.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <thread>

struct RoundKeys {
  std::array<std::uint64_t, 11> words{};
};

constexpr int kBatch = 64; // one gid window per flag check; more than the buffer holds

static void expandKeys(std::uint64_t gid, std::uint64_t seed,
                       std::array<RoundKeys, kBatch> &out) {
  for (int i = 0; i < kBatch; ++i) {
    std::uint64_t x = seed ^ (gid + i) * 0x9e3779b97f4a7c15ULL;
    for (auto &w : out[i].words) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
  }
}

static void keyScheduleWorker(std::atomic<bool> &running, std::uint64_t seed,
                              moodycamel::BlockingReaderWriterCircularBuffer<RoundKeys> &queue) {
  std::uint64_t gid = 0;
  while (running) {
    std::array<RoundKeys, kBatch> batch;
    expandKeys(gid, seed, batch);
    gid += kBatch;
    for (int i = 0; i < kBatch; ++i)
      queue.wait_enqueue(batch[i]); // accuracy: blocks
  }
}

class KeyScheduleCache {
public:
  explicit KeyScheduleCache(std::uint64_t seed)
      : queue_(32), worker_(keyScheduleWorker, std::ref(running_), seed,
                            std::ref(queue_)) {}
  ~KeyScheduleCache() {
    running_ = false;
    worker_.join();
  }
  RoundKeys next() {
    RoundKeys keys;
    queue_.wait_dequeue(keys);
    return keys;
  }

private:
  std::atomic<bool> running_{true};
  moodycamel::BlockingReaderWriterCircularBuffer<RoundKeys> queue_;
  std::thread worker_;
};

// The evaluator's labels were generated with another delta: every gate fails.
static bool garbleGate(unsigned gate, const RoundKeys &keys) {
  return (keys.words[0] ^ gate) == 0 && gate == ~0u;
}

int main() {
  unsigned failedGate = ~0u;
  {
    KeyScheduleCache cache(0x5eedULL);
    bool ok = true;
    unsigned gate = 0;
    while (ok && gate < 100000) {
      ok = garbleGate(gate, cache.next());
      if (!ok)
        failedGate = gate;
      ++gate;
    }
  }
  if (failedGate != ~0u) {
    std::printf("garbling stopped: label mismatch at gate %u\n", failedGate);
    return 0;
  }
  std::printf("circuit garbled\n");
  return 0;
}
