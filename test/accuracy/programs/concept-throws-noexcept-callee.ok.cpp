// accuracy-family: stranded-producer
// accuracy-origin: oneTBB oneapi/tbb/concurrent_queue.h (concurrent_bounded_queue: push() blocks while full, pop() while empty; abort() wakes only the threads blocked at that moment, so the stream ends with one pill per consumer) with the digest workers of a deduplicating backup writer (noexcept hashing, results appended under a mutex)
// accuracy-shape: queue=tbb-concurrent-bounded-queue close=poison-pill spawner=std::async producer=calling-thread consumer=lambda exit=none callee=noexcept wait=future
// accuracy-flags: -ltbb
//
// Digest workers pop blocks from a bounded TBB queue, hash each with a
// noexcept function, and append the digest to a shared vector under a
// mutex; a null block is the pill that ends a worker. Nothing in the loop
// can throw but std::mutex::lock and the vector's allocation, so no worker
// leaves early and the producer's pushes always find a taker. Correct.
#include <oneapi/tbb/concurrent_queue.h>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

struct Block {
  std::uint64_t offset;
  std::vector<unsigned char> bytes;
};

// FNV-1a over the block's bytes.
static std::uint64_t digest(const Block &block) noexcept {
  std::uint64_t h = 1469598103934665603ull ^ block.offset;
  for (unsigned char c : block.bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int main() {
  const int workers = 3;
  tbb::concurrent_bounded_queue<std::shared_ptr<Block>> blocks;
  blocks.set_capacity(4);

  std::mutex digestsMutex;
  std::vector<std::uint64_t> digests;
  std::vector<std::future<void>> pool;
  for (int w = 0; w < workers; ++w)
    pool.push_back(std::async(std::launch::async, [&] {
      for (;;) {
        std::shared_ptr<Block> block;
        blocks.pop(block);
        if (!block)
          return; // the pill
        std::uint64_t d = digest(*block);
        std::lock_guard<std::mutex> lock(digestsMutex);
        digests.push_back(d);
      }
    }));

  for (std::uint64_t i = 0; i < 2000; ++i)
    blocks.push(std::make_shared<Block>(
        Block{i * 4096, std::vector<unsigned char>(64, static_cast<unsigned char>(i))}));
  for (int w = 0; w < workers; ++w)
    blocks.push(nullptr);
  for (auto &f : pool)
    f.get();

  std::sort(digests.begin(), digests.end());
  auto unique = std::unique(digests.begin(), digests.end()) - digests.begin();
  std::printf("%zu blocks, %ld distinct digests\n", digests.size(),
              static_cast<long>(unique));
  return 0;
}
