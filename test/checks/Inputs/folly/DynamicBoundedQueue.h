// Declarations matching folly/concurrency/DynamicBoundedQueue.h.
#pragma once
#include <chrono>
#include <cstddef>

namespace folly {
template <typename T, bool SingleProducer, bool SingleConsumer, bool MayBlock,
          std::size_t LgSegmentSize = 8, std::size_t LgAlign = 7>
class DynamicBoundedQueue {
public:
  explicit DynamicBoundedQueue(std::size_t capacity);
  void enqueue(const T &v);
  bool try_enqueue(const T &v);
  template <typename Rep, typename Period>
  bool try_enqueue_for(const T &v,
                       const std::chrono::duration<Rep, Period> &duration);
  void dequeue(T &elem);
  bool try_dequeue(T &elem);
};
template <typename T, bool MayBlock>
using DMPMCQueue = DynamicBoundedQueue<T, false, false, MayBlock>;
} // namespace folly
