-- Seed data, so the first screen is not empty. Inserted in this order, the ids are 1, 2, 3, ...
INSERT INTO products (sku, name, category, list_price) VALUES ('CAFE-1KG', 'Café Crème 1 kg', 'food', 19.99);
INSERT INTO products (sku, name, category, list_price) VALUES ('TEA-SENCHA', 'Sencha Tee 250 g', 'food', 12.34);
INSERT INTO products (sku, name, category, list_price) VALUES ('BOOK-DDD', 'Domain-Driven Design', 'books', 54.90);
INSERT INTO products (sku, name, category, list_price) VALUES ('DESK-OAK', 'Schreibtisch Eiche', 'furniture', 489.00);
INSERT INTO products (sku, name, category, list_price) VALUES ('LAMP-LED', 'LED-Leuchte', 'hardware', 39.50);
INSERT INTO products (sku, name, category, list_price) VALUES ('SCREW-M4', 'Schrauben M4 ⌀ 4 mm', 'hardware', 0.35);

INSERT INTO customers (name, tier, region) VALUES ('Zoë Müller', 'gold', 'DE');
INSERT INTO customers (name, tier, region) VALUES ('Ana Silva', 'silver', 'AT');
INSERT INTO customers (name, tier, region) VALUES ('Pierre Dubois', 'standard', 'FR');
INSERT INTO customers (name, tier, region) VALUES ('Sven Svensson', 'platinum', 'SE');
INSERT INTO customers (name, tier, region) VALUES ('Jan de Vries', 'silver', 'NL');
INSERT INTO customers (name, tier, region) VALUES ('Acme Corp', 'gold', 'US-CA');
-- The regional-tax plugin knows no rate for PL: its quotes show a plugin failure and the fallback.
INSERT INTO customers (name, tier, region) VALUES ('Łukasz Żółć', 'platinum', 'PL');
