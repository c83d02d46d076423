/* REDUCE_ALL: logical AND over each reduced box of a bool tensor (uint8_t 0/1), reduce.h's loop with
 * "a false element wins" (the output starts true). */
#define TINYCC_FALSE_WINS(a, b) ((a) == 0)
TINYCC_REDUCE_EXTREME(reduce_all_b, uint8_t, 1, TINYCC_FALSE_WINS)
