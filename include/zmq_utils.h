/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*  zmq_utils.h is deprecated: everything it used to declare is in zmq.h.
    It is kept so that programs that still include it keep compiling. */

#ifndef __ZMQ_UTILS_H_INCLUDED__
#define __ZMQ_UTILS_H_INCLUDED__

#if defined(__GNUC__) || defined(__clang__)
#pragma message("zmq_utils.h is deprecated: everything it declared is in zmq.h.")
#endif

#endif
