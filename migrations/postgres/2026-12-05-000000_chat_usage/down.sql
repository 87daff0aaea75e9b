-- Reverse of up.sql (its index goes with the table).
DROP TABLE chat_usage;
