//! kubectl: the client side of the simulator, from command lines to the exact text kubectl prints.

pub mod format;
