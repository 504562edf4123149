// accuracy-family: stranded-producer
// accuracy-origin: apache/doris PR #40055 (issue #16203): be/src/pipeline/pipeline_fragment_context.cpp PipelineFragmentContext::cancel (cancels the exchange, not the result buffer), be/src/runtime/buffer_control_block.cpp add_batch (timed wait loop), fe Coordinator LIMIT_REACH cancel, pipeline_fragment_context.cpp read at 004acb73, buffer_control_block.cpp from a stored 2.x copy
// accuracy-shape: fix=cancel-buffer-in-cancel-path queue=cv-hand-written(BufferControlBlock,rows-bounded,timed-wait-loop,cancel-wakes-adders) spawner=home-made-pool(task-scheduler,joined-on-shutdown) producer=member-function(result-sink-operator,two-calls-down) consumer=calling-thread(frontend-fetch-loop) exit=break(limit-reached,cancel-misses-buffer) wait=destructor(scheduler-shutdown-join)
//
// SELECT ... LIMIT 1000 on the pipeline engine: the fragment's task runs on
// the backend's task scheduler and its result sink adds blocks to the query's
// BufferControlBlock, which loops on a timed wait while more than the buffer
// limit is queued. The frontend's coordinator gets the first packet, has its
// 1000 rows, stops fetching and cancels the query (LIMIT_REACH). The
// fragment's cancel marks the runtime state and cancels the exchange streams,
// but never cancels the result buffer, so the task keeps waiting in add_batch
// and the scheduler's shutdown joins its thread forever.
// The upstream fix (PR #40055, "Fix buffer control block is not cancelled"):
// the fragment's cancel also cancels its BufferControlBlock.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace doris {

class Status {
public:
  static Status OK() { return {}; }
  static Status Cancelled(std::string msg) { return Status(std::move(msg)); }
  bool ok() const { return msg_.empty(); }
private:
  Status() = default;
  explicit Status(std::string msg) : msg_(std::move(msg)) {}
  std::string msg_;
};
#define RETURN_IF_ERROR(stmt)                                                                      \
  do {                                                                                             \
    Status _st = (stmt);                                                                           \
    if (!_st.ok())                                                                                 \
      return _st;                                                                                  \
  } while (false)

using TUniqueId = long;
enum class PPlanFragmentCancelReason { LIMIT_REACH, USER_CANCEL, TIMEOUT };

struct Block {
  std::vector<long> column;
};
struct TFetchDataResult {
  std::vector<long> rows;
};

class BufferControlBlock {
public:
  explicit BufferControlBlock(int buffer_size) : _buffer_limit(buffer_size) {}
  Status add_batch(std::unique_ptr<TFetchDataResult> &result) {
    std::unique_lock<std::mutex> l(_lock);
    if (_is_cancelled)
      return Status::Cancelled("Cancelled");
    int num_rows = result->rows.size();
    while ((!_fe_result_batch_queue.empty() && _buffer_rows > _buffer_limit) && !_is_cancelled)
      _data_removal.wait_for(l, std::chrono::seconds(1));
    if (_is_cancelled)
      return Status::Cancelled("Cancelled");
    _fe_result_batch_queue.push_back(std::move(result));
    _buffer_rows += num_rows;
    _data_arrival.notify_one();
    return Status::OK();
  }
  // The fetch rpc: the next batch, or nullptr once closed or cancelled.
  std::unique_ptr<TFetchDataResult> get_batch() {
    std::unique_lock<std::mutex> l(_lock);
    _data_arrival.wait(l, [&] { return _is_cancelled || _is_close || !_fe_result_batch_queue.empty(); });
    if (_is_cancelled || _fe_result_batch_queue.empty())
      return nullptr;
    auto result = std::move(_fe_result_batch_queue.front());
    _fe_result_batch_queue.pop_front();
    _buffer_rows -= result->rows.size();
    _data_removal.notify_one();
    return result;
  }
  void close() {
    std::lock_guard<std::mutex> l(_lock);
    _is_close = true;
    _data_arrival.notify_all();
  }
  void cancel() {
    std::lock_guard<std::mutex> l(_lock);
    _is_cancelled = true;
    _data_removal.notify_all();
    _data_arrival.notify_all();
  }
private:
  std::mutex _lock;
  std::condition_variable _data_removal, _data_arrival;
  std::deque<std::unique_ptr<TFetchDataResult>> _fe_result_batch_queue;
  bool _is_close = false;
  bool _is_cancelled = false;
  int _buffer_rows = 0;
  const int _buffer_limit;
};

class ResultBufferMgr {
public:
  std::shared_ptr<BufferControlBlock> create_sender(TUniqueId id) {
    std::lock_guard<std::mutex> l(_lock);
    return _buffer_map[id] = std::make_shared<BufferControlBlock>(4096);
  }
  std::shared_ptr<BufferControlBlock> find_control_block(TUniqueId id) {
    std::lock_guard<std::mutex> l(_lock);
    auto it = _buffer_map.find(id);
    return it == _buffer_map.end() ? nullptr : it->second;
  }
  void cancel(TUniqueId id) {
    if (auto cb = find_control_block(id))
      cb->cancel();
  }
private:
  std::mutex _lock;
  std::map<TUniqueId, std::shared_ptr<BufferControlBlock>> _buffer_map;
};

// Exchange receivers; this fragment has none, but cancel must close them.
struct VDataStreamMgr {
  void cancel(TUniqueId) {}
};

struct ExecEnv;

class PipelineFragmentContext {
public:
  PipelineFragmentContext(ExecEnv *exec_env, TUniqueId instance_id);
  // The pipeline: numbers("number" = "1000000") -> result sink.
  Status execute_task() {
    Block block;
    bool eos = false;
    while (!eos) {
      get_block(&block, &eos);
      RETURN_IF_ERROR(sink(block));
    }
    _sender->close();
    return Status::OK();
  }
  void cancel(PPlanFragmentCancelReason reason, const std::string &msg);
private:
  void get_block(Block *block, bool *eos) {
    block->column.clear();
    for (int i = 0; i < 1024; ++i)
      block->column.push_back(_next_number++);
    *eos = _next_number >= 1000000;
  }
  Status sink(Block &block) { // ResultSinkOperator
    auto result = std::make_unique<TFetchDataResult>();
    result->rows = std::move(block.column);
    return _sender->add_batch(result);
  }
  ExecEnv *_exec_env;
  TUniqueId _fragment_instance_id;
  std::shared_ptr<BufferControlBlock> _sender;
  std::mutex _status_lock;
  bool _is_cancelled = false;
  long _next_number = 0;
};

// Runs pipeline tasks on a fixed set of threads; shutdown joins them.
class TaskScheduler {
public:
  explicit TaskScheduler(int num_threads) {
    for (int i = 0; i < num_threads; ++i)
      _workers.emplace_back([this] {
        std::unique_lock<std::mutex> l(_lock);
        while (true) {
          _cv.wait(l, [this] { return _shutdown || !_ready.empty(); });
          if (_ready.empty())
            return;
          auto task = std::move(_ready.front());
          _ready.pop_front();
          l.unlock();
          task();
          l.lock();
        }
      });
  }
  void submit(std::function<void()> task) {
    std::lock_guard<std::mutex> l(_lock);
    _ready.push_back(std::move(task));
    _cv.notify_one();
  }
  void shutdown() {
    {
      std::lock_guard<std::mutex> l(_lock);
      _shutdown = true;
    }
    _cv.notify_all();
    for (auto &worker : _workers)
      worker.join();
  }
private:
  std::mutex _lock;
  std::condition_variable _cv;
  std::deque<std::function<void()>> _ready;
  std::vector<std::thread> _workers;
  bool _shutdown = false;
};

struct ExecEnv {
  ResultBufferMgr result_mgr;
  VDataStreamMgr vstream_mgr;
  TaskScheduler scheduler{2};
  std::map<TUniqueId, std::shared_ptr<PipelineFragmentContext>> fragments;
  ~ExecEnv() { scheduler.shutdown(); }
  void exec_plan_fragment(TUniqueId id) {
    auto ctx = std::make_shared<PipelineFragmentContext>(this, id);
    fragments[id] = ctx;
    scheduler.submit([ctx] { (void)ctx->execute_task(); });
  }
  void cancel_query(TUniqueId id, PPlanFragmentCancelReason reason, const std::string &msg) {
    if (auto it = fragments.find(id); it != fragments.end())
      it->second->cancel(reason, msg);
  }
};

PipelineFragmentContext::PipelineFragmentContext(ExecEnv *exec_env, TUniqueId instance_id)
    : _exec_env(exec_env), _fragment_instance_id(instance_id),
      _sender(exec_env->result_mgr.create_sender(instance_id)) {}

void PipelineFragmentContext::cancel(PPlanFragmentCancelReason reason, const std::string &msg) {
  std::lock_guard<std::mutex> l(_status_lock);
  if (_is_cancelled)
    return;
  _is_cancelled = true;
  (void)reason;
  (void)msg;
  // must close stream_mgr to avoid dead lock in Exchange Node
  _exec_env->vstream_mgr.cancel(_fragment_instance_id);
  // wake a result sink waiting for the frontend to fetch
  _exec_env->result_mgr.cancel(_fragment_instance_id);
}

// ---- frontend ----
class Coordinator {
public:
  Coordinator(ExecEnv &be, TUniqueId id, long limit) : _be(be), _id(id), _limit(limit) {}
  void exec() { _be.exec_plan_fragment(_id); }
  // Rows of the next packet; empty once the query is done.
  std::vector<long> getNext() {
    if (_num_received_rows >= _limit)
      return {};
    auto batch = _be.result_mgr.find_control_block(_id)->get_batch();
    if (!batch)
      return {};
    _num_received_rows += batch->rows.size();
    if (_num_received_rows >= _limit)
      _be.cancel_query(_id, PPlanFragmentCancelReason::LIMIT_REACH, "query reached limit");
    return std::move(batch->rows);
  }
private:
  ExecEnv &_be;
  TUniqueId _id;
  long _limit;
  long _num_received_rows = 0;
};

} // namespace doris

int main() {
  auto be = std::make_unique<doris::ExecEnv>();
  {
    // select number from numbers("number" = "1000000") limit 1000
    doris::Coordinator coord(*be, 7, 1000);
    coord.exec();
    long sent = 0;
    for (auto rows = coord.getNext(); !rows.empty(); rows = coord.getNext())
      sent += std::min<long>(rows.size(), 1000 - sent);
    std::printf("%ld rows in set\n", sent);
  }
  be.reset(); // the backend shuts down
  return 0;
}
